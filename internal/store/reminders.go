package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MarkReminderSent records a reminder; it reports false when this reminder
// for this session time was already recorded, by this or another process.
func (q Q) MarkReminderSent(ctx context.Context, bookingID string, offset time.Duration, startAt, now time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Create(&ReminderSent{BookingID: bookingID, OffsetMinutes: int(offset / time.Minute), StartAt: UTCSecond(startAt), SentAt: now}).Error
	if err = translate(err); errors.Is(err, ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record reminder: %w", err)
	}
	return true, nil
}
