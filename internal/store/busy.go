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
// calendars that overlap [from, to).
func (q Q) MentorBusy(ctx context.Context, mentorID string, from, to time.Time) ([]BusySpan, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []BusySpan
	err := db.Raw(`SELECT b.start_at, b.end_at, c.provider
		FROM busy_intervals b
		JOIN calendars k ON k.id = b.calendar_id
		JOIN connections c ON c.id = k.connection_id
		WHERE b.mentor_id = ? AND b.start_at < ? AND b.end_at > ? AND k.check_conflicts = ?
		ORDER BY b.start_at`, mentorID, UTCSecond(to), UTCSecond(from), true).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read busy time of mentor %s: %w", mentorID, translate(err))
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
