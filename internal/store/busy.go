package store

import (
	"context"
	"fmt"
	"time"
)

// BusySpan is a busy interval with where it came from.
type BusySpan struct {
	StartAt  time.Time
	EndAt    time.Time
	Provider string // caldav or google
}

// MentorBusy returns the busy intervals of a mentor's conflict-checked
// calendars that overlap [from, to). It is on the path of every slots
// request, so rows are scanned by hand rather than through reflection.
func (q Q) MentorBusy(ctx context.Context, mentorID string, from, to time.Time) ([]BusySpan, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(`SELECT b.start_at, b.end_at, c.provider
		FROM busy_intervals b
		JOIN calendars k ON k.id = b.calendar_id
		JOIN connections c ON c.id = k.connection_id
		WHERE b.mentor_id = ? AND b.start_at < ? AND b.end_at > ? AND k.check_conflicts = ?
		ORDER BY b.start_at`, mentorID, UTCSecond(to), UTCSecond(from), true).Rows()
	if err != nil {
		return nil, fmt.Errorf("read busy time of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	out := make([]BusySpan, 0, 64)
	for rows.Next() {
		var b BusySpan
		if err := rows.Scan(&b.StartAt, &b.EndAt, &b.Provider); err != nil {
			return nil, fmt.Errorf("read busy time of mentor %s: %w", mentorID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read busy time of mentor %s: %w", mentorID, translate(err))
	}
	return out, nil
}

// SessionSpan is a live session's time, for slot computation.
type SessionSpan struct {
	ID      string
	StartAt time.Time
	EndAt   time.Time
}

// MentorSessions returns the mentor's confirmed sessions overlapping
// [from, to): only what slot computation needs, scanned by hand.
func (q Q) MentorSessions(ctx context.Context, mentorID string, from, to time.Time) ([]SessionSpan, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(`SELECT id, start_at, end_at FROM bookings
		WHERE mentor_id = ? AND status = ? AND start_at < ? AND end_at > ? ORDER BY start_at`,
		mentorID, StatusConfirmed, UTCSecond(to), UTCSecond(from)).Rows()
	if err != nil {
		return nil, fmt.Errorf("read sessions of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	var out []SessionSpan
	for rows.Next() {
		var s SessionSpan
		if err := rows.Scan(&s.ID, &s.StartAt, &s.EndAt); err != nil {
			return nil, fmt.Errorf("read sessions of mentor %s: %w", mentorID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sessions of mentor %s: %w", mentorID, translate(err))
	}
	return out, nil
}

// ReplaceCalendarBusy swaps a calendar's busy intervals for a new set; run
// it in a transaction so readers never see a half-written set.
func (q Q) ReplaceCalendarBusy(ctx context.Context, mentorID, calendarID string, spans []BusyInterval) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Where("calendar_id = ?", calendarID).Delete(&BusyInterval{}).Error; err != nil {
		return fmt.Errorf("clear busy time of calendar %s: %w", calendarID, translate(err))
	}
	for i := range spans {
		spans[i].ID = 0
		spans[i].MentorID, spans[i].CalendarID = mentorID, calendarID
		spans[i].StartAt, spans[i].EndAt = UTCSecond(spans[i].StartAt), UTCSecond(spans[i].EndAt)
	}
	if len(spans) == 0 {
		return nil
	}
	if err := db.CreateInBatches(spans, 500).Error; err != nil {
		return fmt.Errorf("store busy time of calendar %s: %w", calendarID, translate(err))
	}
	return nil
}

// OldestSuccessfulSync returns, over a mentor's connections, the oldest
// last successful sync (nil when one never succeeded) and whether the
// mentor has any connection at all.
func (q Q) OldestSuccessfulSync(ctx context.Context, mentorID string) (oldest *time.Time, any bool, err error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var conns []Connection
	if err := db.Select("id, last_success_at").Where("mentor_id = ?", mentorID).Find(&conns).Error; err != nil {
		return nil, false, fmt.Errorf("read connections of mentor %s: %w", mentorID, translate(err))
	}
	for _, c := range conns {
		if c.LastSuccessAt == nil {
			return nil, true, nil
		}
		if oldest == nil || c.LastSuccessAt.Before(*oldest) {
			t := *c.LastSuccessAt
			oldest = &t
		}
	}
	return oldest, len(conns) > 0, nil
}

// MentorSessionsAndUpcoming is MentorSessions over [from, to) and
// CountUpcomingCommitments of menteeID at now in one statement: a booking
// reads both under the mentor's lock, and this is one round trip fewer.
func (q Q) MentorSessionsAndUpcoming(ctx context.Context, mentorID, menteeID string, from, to, now time.Time) ([]SessionSpan, int, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	from, to, now = UTCSecond(from), UTCSecond(to), UTCSecond(now)
	rows, err := db.Raw(`SELECT id, start_at, end_at, mentee_id, series_id FROM bookings
		WHERE mentor_id = ? AND status = ? AND ((start_at < ? AND end_at > ?) OR (mentee_id = ? AND end_at > ?))
		ORDER BY start_at`,
		mentorID, StatusConfirmed, to, from, menteeID, now).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("read sessions of mentor %s: %w", mentorID, translate(err))
	}
	defer rows.Close()
	var (
		out      []SessionSpan
		upcoming = map[string]struct{}{}
	)
	for rows.Next() {
		var (
			s                SessionSpan
			mentee, seriesID string
		)
		if err := rows.Scan(&s.ID, &s.StartAt, &s.EndAt, &mentee, &seriesID); err != nil {
			return nil, 0, fmt.Errorf("read sessions of mentor %s: %w", mentorID, err)
		}
		if s.StartAt.Before(to) && s.EndAt.After(from) {
			out = append(out, s)
		}
		if mentee == menteeID && s.EndAt.After(now) {
			// A series counts once, however many sessions it has left.
			key := s.ID
			if seriesID != "" {
				key = "series " + seriesID
			}
			upcoming[key] = struct{}{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read sessions of mentor %s: %w", mentorID, translate(err))
	}
	return out, len(upcoming), nil
}
