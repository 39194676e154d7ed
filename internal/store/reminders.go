package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"
)

// SettingRemindersSweptSince is when the reminder sweep took over a lead
// (RFC 3339): from the reminder jobs each booking used to schedule, or
// from nothing for a lead configured later.
func SettingRemindersSweptSince(lead time.Duration) string {
	return "reminders_swept_since:" + strconv.Itoa(offsetMinutes(lead))
}

func offsetMinutes(lead time.Duration) int { return int(lead / time.Minute) }

// MarkReminderSent records a reminder; it reports false when this reminder
// for this session time was already recorded, by this or another process.
// A conflict is no error (it would abort a PostgreSQL transaction): the
// caller's transaction goes on.
func (q Q) MarkReminderSent(ctx context.Context, bookingID string, offset time.Duration, startAt, now time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&ReminderSent{BookingID: bookingID, OffsetMinutes: offsetMinutes(offset), StartAt: UTCSecond(startAt), SentAt: now})
	if res.Error != nil {
		return false, fmt.Errorf("record reminder: %w", translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// DueReminders lists, by start, at most limit confirmed sessions starting
// in (after, until] without a reminders_sent row of this lead at their
// start. It reads the range of bookings_confirmed_start (both databases).
// On PostgreSQL it locks them until the transaction ends and skips those
// locked by a change under way (the next sweep sees them as changed), so
// a session cancelled or moved meanwhile is not reminded at its old time.
func (q Q) DueReminders(ctx context.Context, lead time.Duration, after, until time.Time, limit int) ([]Booking, error) {
	lock := ""
	if q.dialect == Postgres {
		// NO KEY: inserts referencing the booking (its reminders_sent
		// rows) do not hold it off.
		lock = " FOR NO KEY UPDATE OF b SKIP LOCKED"
	}
	db, cancel := q.with(ctx)
	defer cancel()
	var bs []Booking
	err := db.Raw(`SELECT b.* FROM bookings b
WHERE b.status = 'confirmed' AND b.start_at > ? AND b.start_at <= ?
  AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.booking_id = b.id AND r.offset_minutes = ? AND r.start_at = b.start_at)
ORDER BY b.start_at, b.id LIMIT ?`+lock, UTCSecond(after), UTCSecond(until), offsetMinutes(lead), limit).Scan(&bs).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions due a %s reminder: %w", lead, translate(err))
	}
	return bs, nil
}

// MarkRemindersSent records the reminder of lead for each session at its
// start, in one statement, and returns the sessions it recorded: those
// recorded already, by this or another process, are left out.
func (q Q) MarkRemindersSent(ctx context.Context, lead time.Duration, bs []Booking, now time.Time) (map[string]bool, error) {
	if len(bs) == 0 {
		return nil, nil
	}
	var sql strings.Builder
	sql.WriteString("INSERT INTO reminders_sent (booking_id, offset_minutes, start_at, sent_at) VALUES ")
	args := make([]any, 0, 4*len(bs))
	for i := range bs {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?)")
		args = append(args, bs[i].ID, offsetMinutes(lead), UTCSecond(bs[i].StartAt), now.UTC())
	}
	sql.WriteString(" ON CONFLICT DO NOTHING RETURNING booking_id")
	db, cancel := q.with(ctx)
	defer cancel()
	var ids []string
	if err := db.Raw(sql.String(), args...).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("record %d reminders: %w", len(bs), translate(err))
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
