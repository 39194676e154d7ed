package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// MenteeSessionStats summarises the sessions of one mentee with one mentor.
type MenteeSessionStats struct {
	MentorID, MenteeID string
	Upcoming           int
	Completed          int // all time
	Unreported         int
	LastID, NextID     string
	LastStart          *time.Time // latest started session that was not a no-show
	NextStart          *time.Time // earliest confirmed session still to start
}

// SessionStats aggregates sessions per (mentor, mentee) pair in one pass
// over the bookings, without joins: the program-wide caseload must not
// cost a query per mentor. A confirmed session that ended at or before
// unreportedBefore without an outcome is unreported. mentorID "" means
// every mentor.
func (q Q) SessionStats(ctx context.Context, mentorID string, now, unreportedBefore time.Time) ([]MenteeSessionStats, error) {
	// The last and next sessions come out of MAX/MIN over "start|id" keys,
	// which sort as the start (fixed-width UTC text) and carry the id: no
	// second lookup per mentee.
	key := "b.start_at || '|' || b.id"
	if q.dialect == Postgres {
		key = `CAST(b.start_at AT TIME ZONE 'UTC' AS TEXT) || '|' || b.id COLLATE "C"`
	}
	n, late := UTCSecond(now), UTCSecond(unreportedBefore)
	args := []any{n, late, n, n}
	filter := ""
	if mentorID != "" {
		filter, args = "AND b.mentor_id = ?", append(args, mentorID)
	}
	// Only confirmed sessions count, which lets the bookings_caseload
	// partial index serve the whole query from the index.
	query := `SELECT b.mentor_id, b.mentee_id,
			SUM(CASE WHEN b.start_at > ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN b.outcome = 'completed' THEN 1 ELSE 0 END),
			SUM(CASE WHEN b.outcome IS NULL AND b.end_at <= ? THEN 1 ELSE 0 END),
			MAX(CASE WHEN b.start_at <= ? AND (b.outcome IS NULL OR b.outcome = 'completed') THEN ` + key + ` END),
			MIN(CASE WHEN b.start_at > ? THEN ` + key + ` END)
		FROM bookings b
		WHERE b.status = 'confirmed' ` + filter + `
		GROUP BY b.mentor_id, b.mentee_id`
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("aggregate sessions: %w", translate(err))
	}
	defer rows.Close()
	out := make([]MenteeSessionStats, 0, 256)
	for rows.Next() {
		var s MenteeSessionStats
		var last, next *string
		if err := rows.Scan(&s.MentorID, &s.MenteeID, &s.Upcoming, &s.Completed, &s.Unreported, &last, &next); err != nil {
			return nil, fmt.Errorf("aggregate sessions: %w", err)
		}
		if s.LastStart, s.LastID, err = splitSessionKey(last); err != nil {
			return nil, err
		}
		if s.NextStart, s.NextID, err = splitSessionKey(next); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate sessions: %w", translate(err))
	}
	return out, nil
}

// splitSessionKey reads a "start|id" key; nil is no session.
func splitSessionKey(key *string) (*time.Time, string, error) {
	if key == nil {
		return nil, "", nil
	}
	start, id, ok := strings.Cut(*key, "|")
	t, ok2 := parseUTCSecond(start)
	if !ok || !ok2 {
		return nil, "", fmt.Errorf("aggregate sessions: unreadable session key %q", *key)
	}
	return &t, id, nil
}

// parseUTCSecond reads "YYYY-MM-DD HH:MM:SS" in UTC. Thousands of keys
// are read per caseload view, so the common fixed-width form is parsed by
// hand; anything else goes through time.Parse.
func parseUTCSecond(s string) (time.Time, bool) {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
		return t, err == nil
	}
	n := func(i, j int) int {
		v := 0
		for _, c := range s[i:j] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, se := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), true
}

// MonthWindow is the current calendar month of one time zone, in UTC.
type MonthWindow struct {
	Timezone   string
	Start, End time.Time
}

// MentorMonthStats counts a mentor's sessions of the current month.
type MentorMonthStats struct {
	MentorID  string
	Completed int
	NoShows   int
	Minutes   int // of completed sessions
}

// MonthStats counts, per mentor, the sessions of the current month in the
// mentor's own zone. months holds the window of every zone the mentors
// use, joined in as a VALUES list; only the sessions in the union of the
// windows are read, through the start index.
func (q Q) MonthStats(ctx context.Context, mentorID string, months []MonthWindow) ([]MentorMonthStats, error) {
	if len(months) == 0 {
		return nil, nil
	}
	zoneRow, minutes := "(?, ?, ?)", "CAST(ROUND((julianday(b.end_at) - julianday(b.start_at)) * 1440) AS INTEGER)"
	if q.dialect == Postgres {
		zoneRow = "(CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))"
		minutes = "CAST(ROUND(EXTRACT(EPOCH FROM (b.end_at - b.start_at)) / 60) AS INTEGER)"
	}
	args := make([]any, 0, 3*len(months)+3)
	lo, hi := months[0].Start, months[0].End
	for _, m := range months {
		args = append(args, m.Timezone, UTCSecond(m.Start), UTCSecond(m.End))
		lo, hi = minTime(lo, m.Start), maxTime(hi, m.End)
	}
	args = append(args, UTCSecond(lo), UTCSecond(hi))
	filter := ""
	if mentorID != "" {
		filter, args = "AND b.mentor_id = ?", append(args, mentorID)
	}
	query := `WITH zones (zone_name, month_start, month_end) AS (VALUES ` + placeholders(len(months), zoneRow) + `)
		SELECT b.mentor_id,
			SUM(CASE WHEN b.outcome = 'completed' THEN 1 ELSE 0 END),
			SUM(CASE WHEN b.outcome = 'no_show' THEN 1 ELSE 0 END),
			SUM(CASE WHEN b.outcome = 'completed' THEN ` + minutes + ` ELSE 0 END)
		FROM bookings b
		JOIN mentors m ON m.id = b.mentor_id
		JOIN zones z ON z.zone_name = m.timezone
		WHERE b.status = 'confirmed' AND b.start_at >= ? AND b.start_at < ?
			AND b.start_at >= z.month_start AND b.start_at < z.month_end ` + filter + `
		GROUP BY b.mentor_id`
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("count this month's sessions: %w", translate(err))
	}
	defer rows.Close()
	var out []MentorMonthStats
	for rows.Next() {
		var s MentorMonthStats
		if err := rows.Scan(&s.MentorID, &s.Completed, &s.NoShows, &s.Minutes); err != nil {
			return nil, fmt.Errorf("count this month's sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count this month's sessions: %w", translate(err))
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
