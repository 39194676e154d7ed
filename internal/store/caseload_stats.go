package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"time"
)

// sessionKey is a session's "start|id" key: keys sort as the start
// (fixed-width UTC text) and carry the id, so MAX and MIN over them give
// the last and next sessions without a second lookup.
func (q Q) sessionKey(table string) string {
	if q.dialect == Postgres {
		return `CAST(` + table + `.start_at AT TIME ZONE 'UTC' AS TEXT) || '|' || ` + table + `.id COLLATE "C"`
	}
	return table + ".start_at || '|' || " + table + ".id"
}

// CaseloadMentee is an active mentee as a caseload lists it, with their
// sessions with their mentor.
type CaseloadMentee struct {
	ID, MentorID, Name, Email string
	AssignedAt                time.Time
	Upcoming                  int
	Completed                 int // all time
	Unreported                int
	LastID, NextID            string
	LastStart                 time.Time // latest started session that was not a no-show; zero when none
	NextStart                 time.Time // earliest confirmed session still to start; zero when none
}

// CaseloadMentees hands fn the active mentees of every mentor (or of
// mentorID), in no order, with their sessions summarised, in one
// query that does not read the whole history: the past comes from
// caseload_pairs (kept by refreshCaseloadPair), the rest from live
// sessions without an outcome through the bookings_open index: upcoming
// ones, and those held but not reported (unreported once they ended at or
// before unreportedBefore).
// fn must not keep m: it is reused for the next row.
func (q Q) CaseloadMentees(ctx context.Context, mentorID string, now, unreportedBefore time.Time, fn func(m *CaseloadMentee)) error {
	n, late := UTCSecond(now), UTCSecond(unreportedBefore)
	key := q.sessionKey("b")
	args := []any{n, late, n, n}
	openFilter, menteeFilter := "", ""
	if mentorID != "" {
		openFilter, menteeFilter = " AND b.mentor_id = ?", " AND e.mentor_id = ?"
		args = append(args, mentorID, mentorID)
	}
	query := `WITH open AS (
			SELECT b.mentor_id, b.mentee_id,
				SUM(CASE WHEN b.start_at > ? THEN 1 ELSE 0 END) AS upcoming,
				SUM(CASE WHEN b.end_at <= ? THEN 1 ELSE 0 END) AS unreported,
				MAX(CASE WHEN b.start_at <= ? THEN ` + key + ` END) AS last_held,
				MIN(CASE WHEN b.start_at > ? THEN ` + key + ` END) AS next_key
			FROM bookings b
			WHERE b.status = 'confirmed' AND b.outcome IS NULL` + openFilter + `
			GROUP BY b.mentor_id, b.mentee_id)
		SELECT e.id, e.mentor_id, e.name, e.email, e.assigned_at,
			COALESCE(p.completed, 0), COALESCE(p.last_completed, ''),
			COALESCE(o.upcoming, 0), COALESCE(o.unreported, 0), COALESCE(o.last_held, ''), COALESCE(o.next_key, '')
		FROM mentees e
		LEFT JOIN caseload_pairs p ON p.mentor_id = e.mentor_id AND p.mentee_id = e.id
		LEFT JOIN open o ON o.mentor_id = e.mentor_id AND o.mentee_id = e.id
		WHERE e.status = 'active' AND e.mentor_id IS NOT NULL` + menteeFilter
	var m CaseloadMentee
	var at nullTime
	var lastDone, lastHeld, next sql.RawBytes
	err := q.eachRow(ctx, query, args, func(scan func(...any) error) error {
		if err := scan(&m.ID, &m.MentorID, &m.Name, &m.Email, &at, &m.Completed, &lastDone,
			&m.Upcoming, &m.Unreported, &lastHeld, &next); err != nil {
			return err
		}
		m.AssignedAt = time.Time{}
		if at.Valid {
			m.AssignedAt = at.Time
		}
		// A session held but not yet reported is the last one when it
		// is later than the last completed one.
		last := lastDone
		if string(lastHeld) > string(lastDone) {
			last = lastHeld
		}
		var err error
		if m.LastStart, m.LastID, err = splitSessionKey(last); err != nil {
			return err
		}
		if m.NextStart, m.NextID, err = splitSessionKey(next); err != nil {
			return err
		}
		fn(&m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read caseload mentees: %w", err)
	}
	return nil
}

// MentorOpenSessions counts a mentor's upcoming and unreported sessions,
// whoever the mentee is now (a former mentee's session still needs its
// outcome).
type MentorOpenSessions struct {
	MentorID             string
	Upcoming, Unreported int
}

// OpenSessions counts the upcoming and unreported sessions of every mentor
// (or of mentorID) through the bookings_open index.
func (q Q) OpenSessions(ctx context.Context, mentorID string, now, unreportedBefore time.Time) ([]MentorOpenSessions, error) {
	args := []any{UTCSecond(now), UTCSecond(unreportedBefore)}
	filter := ""
	if mentorID != "" {
		filter, args = " AND b.mentor_id = ?", append(args, mentorID)
	}
	var out []MentorOpenSessions
	err := q.eachRow(ctx, `SELECT b.mentor_id,
			SUM(CASE WHEN b.start_at > ? THEN 1 ELSE 0 END),
			SUM(CASE WHEN b.end_at <= ? THEN 1 ELSE 0 END)
		FROM bookings b
		WHERE b.status = 'confirmed' AND b.outcome IS NULL`+filter+`
		GROUP BY b.mentor_id`, args, func(scan func(...any) error) error {
		var m MentorOpenSessions
		if err := scan(&m.MentorID, &m.Upcoming, &m.Unreported); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count open sessions: %w", err)
	}
	return out, nil
}

// refreshCaseloadPair rewrites the caseload_pairs row of (mentorID,
// menteeID) from its sessions. On PostgreSQL the mentee's row lock orders
// concurrent rewrites of one pair, so that the last one to commit counted
// every session the others wrote.
func (q Q) refreshCaseloadPair(ctx context.Context, mentorID, menteeID string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if q.dialect == Postgres {
		var locked []string
		if err := db.Raw("SELECT id FROM mentees WHERE id = ? FOR UPDATE", menteeID).Scan(&locked).Error; err != nil {
			return fmt.Errorf("lock mentee %s: %w", menteeID, translate(err))
		}
	}
	err := db.Exec(`INSERT INTO caseload_pairs (mentor_id, mentee_id, completed, last_completed)
		SELECT ?, ?, COUNT(*), COALESCE(MAX(`+q.sessionKey("b")+`), '')
		FROM bookings b
		WHERE b.mentor_id = ? AND b.mentee_id = ? AND b.status = 'confirmed' AND b.outcome = 'completed'
		ON CONFLICT (mentor_id, mentee_id) DO UPDATE SET completed = excluded.completed, last_completed = excluded.last_completed`,
		mentorID, menteeID, mentorID, menteeID).Error
	if err != nil {
		return fmt.Errorf("rewrite caseload of mentee %s: %w", menteeID, translate(err))
	}
	return nil
}

// eachRow runs a query and hands every row to fn.
func (q Q) eachRow(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// splitSessionKey reads a "start|id" key; empty is no session (zero time).
func splitSessionKey(key []byte) (time.Time, string, error) {
	if len(key) == 0 {
		return time.Time{}, "", nil
	}
	start, id, ok := bytes.Cut(key, []byte("|"))
	t, ok2 := parseUTCSecond(start)
	if !ok || !ok2 {
		return time.Time{}, "", fmt.Errorf("unreadable session key %q", key)
	}
	return t, string(id), nil
}

// parseUTCSecond reads "YYYY-MM-DD HH:MM:SS" in UTC. Thousands of keys
// are read per caseload view, so the common fixed-width form is parsed by
// hand; anything else goes through time.Parse.
func parseUTCSecond(s []byte) (time.Time, bool) {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		t, err := time.Parse("2006-01-02 15:04:05.999999999", string(s))
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
	var out []MentorMonthStats
	err := q.eachRow(ctx, query, args, func(scan func(...any) error) error {
		var s MentorMonthStats
		err := scan(&s.MentorID, &s.Completed, &s.NoShows, &s.Minutes)
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count this month's sessions: %w", err)
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
