package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"
)

// CalendarState is a calendar with the outcome of its last sync and the
// number of busy intervals it currently holds.
type CalendarState struct {
	Calendar  `gorm:"embedded"`
	SyncError string
	BusyCount int
}

// InsertCalendar stores a calendar of a connection.
func (q Q) InsertCalendar(ctx context.Context, c *Calendar) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(c).Error; err != nil {
		return fmt.Errorf("insert calendar %q: %w", c.Name, translate(err))
	}
	return nil
}

// Calendar reads a calendar by id, whoever owns it (jobs).
func (q Q) Calendar(ctx context.Context, id string) (*Calendar, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var c Calendar
	if err := db.Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("read calendar %s: %w", id, translate(err))
	}
	return &c, nil
}

// MentorCalendar reads one of a mentor's calendars; another mentor's is
// ErrNotFound.
func (q Q) MentorCalendar(ctx context.Context, mentorID, id string) (*Calendar, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var c Calendar
	if err := db.Where("id = ? AND mentor_id = ?", id, mentorID).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("read calendar %s: %w", id, translate(err))
	}
	return &c, nil
}

// CalendarStates lists the calendars of a mentor (connectionID "") or of
// one of their connections, by name, with their sync outcome.
func (q Q) CalendarStates(ctx context.Context, mentorID, connectionID string) ([]CalendarState, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	tx := db.Table("calendars k").
		Select("k.*, (SELECT count(*) FROM busy_intervals b WHERE b.calendar_id = k.id) AS busy_count").
		Where("k.mentor_id = ?", mentorID)
	if connectionID != "" {
		tx = tx.Where("k.connection_id = ?", connectionID)
	}
	var out []CalendarState
	if err := tx.Order("k.name, k.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list calendars of mentor %s: %w", mentorID, translate(err))
	}
	return out, nil
}

// ConnectionCalendars lists a connection's calendars (sync jobs).
func (q Q) ConnectionCalendars(ctx context.Context, connectionID string) ([]Calendar, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []Calendar
	if err := db.Where("connection_id = ?", connectionID).Order("name, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list calendars of connection %s: %w", connectionID, translate(err))
	}
	return out, nil
}

// WriteTarget returns the mentor's write-target calendar, ErrNotFound when
// there is none.
func (q Q) WriteTarget(ctx context.Context, mentorID string) (*Calendar, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var c Calendar
	if err := db.Where("mentor_id = ? AND write_target = ?", mentorID, true).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("read write target of mentor %s: %w", mentorID, translate(err))
	}
	return &c, nil
}

// ClearWriteTarget unsets the mentor's write target, if any.
func (q Q) ClearWriteTarget(ctx context.Context, mentorID string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Calendar{}).Where("mentor_id = ? AND write_target = ?", mentorID, true).
		Update("write_target", false).Error
	if err != nil {
		return fmt.Errorf("clear write target of mentor %s: %w", mentorID, translate(err))
	}
	return nil
}

// SetCalendarFlags writes a calendar's check_conflicts and write_target.
func (q Q) SetCalendarFlags(ctx context.Context, id string, checkConflicts, writeTarget bool) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Calendar{}).Where("id = ?", id).
		Updates(map[string]any{"check_conflicts": checkConflicts, "write_target": writeTarget}).Error
	if err != nil {
		return fmt.Errorf("update calendar %s: %w", id, translate(err))
	}
	return nil
}

// RecordCalendarSync stores a calendar's new sync state and clears its
// error (after a successful sync).
func (q Q) RecordCalendarSync(ctx context.Context, id, state string) error {
	return q.updateCalendar(ctx, id, map[string]any{"sync_state": state, "sync_error": ""})
}

// RecordCalendarError remembers why a calendar's sync failed.
func (q Q) RecordCalendarError(ctx context.Context, id, reason string) error {
	return q.updateCalendar(ctx, id, map[string]any{"sync_error": reason})
}

func (q Q) updateCalendar(ctx context.Context, id string, cols map[string]any) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Model(&Calendar{}).Where("id = ?", id).Updates(cols).Error; err != nil {
		return fmt.Errorf("update calendar %s: %w", id, translate(err))
	}
	return nil
}

// CalendarItems reads every stored object of a calendar.
func (q Q) CalendarItems(ctx context.Context, calendarID string) ([]CalendarItem, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []CalendarItem
	if err := db.Where("calendar_id = ?", calendarID).Order("key").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read items of calendar %s: %w", calendarID, translate(err))
	}
	return out, nil
}

// ClearCalendarItems drops every stored object of a calendar (full sync).
func (q Q) ClearCalendarItems(ctx context.Context, calendarID string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Where("calendar_id = ?", calendarID).Delete(&CalendarItem{}).Error; err != nil {
		return fmt.Errorf("clear items of calendar %s: %w", calendarID, translate(err))
	}
	return nil
}

// UpsertCalendarItems inserts or replaces objects by (calendar, key).
func (q Q) UpsertCalendarItems(ctx context.Context, items []CalendarItem) error {
	if len(items) == 0 {
		return nil
	}
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(items, 200).Error
	if err != nil {
		return fmt.Errorf("store %d calendar items: %w", len(items), translate(err))
	}
	return nil
}

// SetCalendarItemsDecoded stores the decoded busy time of unchanged
// objects of a calendar, by key.
func (q Q) SetCalendarItemsDecoded(ctx context.Context, calendarID string, decoded map[string]string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	for key, d := range decoded {
		err := db.Model(&CalendarItem{}).Where("calendar_id = ? AND key = ?", calendarID, key).Update("decoded", d).Error
		if err != nil {
			return fmt.Errorf("store decoded busy time of calendar %s: %w", calendarID, translate(err))
		}
	}
	return nil
}

// DeleteCalendarItems drops objects of a calendar by key.
func (q Q) DeleteCalendarItems(ctx context.Context, calendarID string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Where("calendar_id = ? AND key IN ?", calendarID, keys).Delete(&CalendarItem{}).Error; err != nil {
		return fmt.Errorf("delete items of calendar %s: %w", calendarID, translate(err))
	}
	return nil
}

// WrittenBack returns the sessions whose event Rendezvous wrote into a
// calendar and still holds a reference to: those sessions already block
// their time as bookings, and must not also block it (e.g. a reschedule by
// 30 minutes) as calendar events; and their events are watched for the
// mentor's own moves and deletions.
func (q Q) WrittenBack(ctx context.Context, calendarID string) ([]Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []Booking
	err := db.Where("writeback_calendar_id = ? AND writeback_ref <> ''", calendarID).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read written-back sessions of calendar %s: %w", calendarID, translate(err))
	}
	return out, nil
}

// SetBookingWriteback records where a booking's event lives remotely and
// which version of the booking (its SEQUENCE) was written there; it
// touches only those columns so it cannot undo a concurrent change of the
// booking itself.
func (q Q) SetBookingWriteback(ctx context.Context, bookingID, calendarID, ref, etag string, sequence int) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Booking{}).Where("id = ?", bookingID).UpdateColumns(map[string]any{
		"writeback_calendar_id": calendarID, "writeback_ref": ref, "writeback_etag": etag, "writeback_sequence": sequence,
	}).Error
	if err != nil {
		return fmt.Errorf("record write-back of booking %s: %w", bookingID, translate(err))
	}
	return nil
}

// BackfillWritebackSequence records that the event of a session written
// before versions were recorded holds its current version (with the
// event's ETag), unless the booking changed or was written meanwhile.
func (q Q) BackfillWritebackSequence(ctx context.Context, bookingID string, sequence int, etag string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Booking{}).Where("id = ? AND sequence = ? AND writeback_sequence = -1", bookingID, sequence).
		UpdateColumns(map[string]any{"writeback_sequence": sequence, "writeback_etag": etag}).Error
	if err != nil {
		return fmt.Errorf("record the written version of booking %s: %w", bookingID, translate(err))
	}
	return nil
}

// MoveBookingWriteback records that a session's event moved from one
// calendar of the account to another (the mentor moved it there), if the
// booking is still at sequence and its event still recorded where it
// was. The ETag is cleared: the event is read afresh there.
func (q Q) MoveBookingWriteback(ctx context.Context, bookingID string, sequence int, fromCalendarID, fromRef, toCalendarID, toRef string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Booking{}).Where("id = ? AND sequence = ? AND writeback_calendar_id = ? AND writeback_ref = ?", bookingID, sequence, fromCalendarID, fromRef).
		UpdateColumns(map[string]any{"writeback_calendar_id": toCalendarID, "writeback_ref": toRef, "writeback_etag": ""}).Error
	if err != nil {
		return fmt.Errorf("record the calendar of booking %s's event: %w", bookingID, translate(err))
	}
	return nil
}
