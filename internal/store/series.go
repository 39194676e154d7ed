package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// BookingSeries is a row of booking_series: a weekly series of sessions,
// each of which is a Booking with SeriesID set.
type BookingSeries struct {
	ID             string
	UID            string `gorm:"column:uid"`
	MentorID       string
	MenteeID       string
	FirstStartAt   time.Time
	Timezone       string // the mentor's zone, in which the rule repeats
	Count          int
	IntervalWeeks  int
	SessionMinutes int
	Skipped        string // JSON: the occurrences not booked, with why
	Sequence       int
	CreatedBy      string
	// The series' one event in the mentor's calendar.
	WritebackCalendarID string
	WritebackRef        string
	WritebackEtag       string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName maps BookingSeries to booking_series.
func (BookingSeries) TableName() string { return "booking_series" }

// InsertSeries stores a series with its sessions; ErrOverlap when one of
// them overlaps a live session of the mentor.
func (q Q) InsertSeries(ctx context.Context, s *BookingSeries, bookings []Booking) error {
	s.FirstStartAt = UTCSecond(s.FirstStartAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(s).Error; err != nil {
		return fmt.Errorf("insert series: %w", translate(err))
	}
	for i := range bookings {
		b := &bookings[i]
		b.StartAt, b.EndAt = UTCSecond(b.StartAt), UTCSecond(b.EndAt)
		if b.RecurrenceAt != nil {
			at := UTCSecond(*b.RecurrenceAt)
			b.RecurrenceAt = &at
		}
	}
	if len(bookings) > 0 {
		if err := db.Create(&bookings).Error; err != nil {
			return fmt.Errorf("insert sessions of series %s: %w", s.ID, translate(err))
		}
	}
	return nil
}

// Series reads a series by id.
func (q Q) Series(ctx context.Context, id string) (*BookingSeries, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var s BookingSeries
	if err := db.Where("id = ?", id).Take(&s).Error; err != nil {
		return nil, fmt.Errorf("read series: %w", translate(err))
	}
	return &s, nil
}

// UpdateSeries writes every column of s.
func (q Q) UpdateSeries(ctx context.Context, s *BookingSeries) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Save(s).Error; err != nil {
		return fmt.Errorf("update series %s: %w", s.ID, translate(err))
	}
	return nil
}

// BumpSeries raises a series' SEQUENCE (one of its sessions changed) and
// reads it back.
func (q Q) BumpSeries(ctx context.Context, id string, now time.Time) (*BookingSeries, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&BookingSeries{}).Where("id = ?", id).
		Updates(map[string]any{"sequence": gorm.Expr("sequence + 1"), "updated_at": now.UTC()})
	if res.Error != nil {
		return nil, fmt.Errorf("raise sequence of series %s: %w", id, translate(res.Error))
	}
	return q.Series(ctx, id)
}

// SetSeriesWriteback records where a series' event lives in the mentor's
// calendar ("" when it has none).
func (q Q) SetSeriesWriteback(ctx context.Context, id, calendarID, ref, etag string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&BookingSeries{}).Where("id = ?", id).Updates(map[string]any{
		"writeback_calendar_id": calendarID, "writeback_ref": ref, "writeback_etag": etag}).Error
	if err != nil {
		return fmt.Errorf("record write-back of series %s: %w", id, translate(err))
	}
	return nil
}

// SeriesBookings lists the sessions of a series, cancelled ones included,
// by their start by the rule.
func (q Q) SeriesBookings(ctx context.Context, seriesID string) ([]Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var bs []Booking
	if err := db.Where("series_id = ?", seriesID).Order("recurrence_at, id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("list sessions of series %s: %w", seriesID, translate(err))
	}
	return bs, nil
}

// CountUpcomingCommitments counts what a mentee holds ahead with a
// mentor: each single session that has not ended counts one, and each
// series with a session that has not ended counts one, however many
// sessions it has left.
func (q Q) CountUpcomingCommitments(ctx context.Context, mentorID, menteeID string, now time.Time) (int, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	err := db.Raw(`SELECT count(DISTINCT CASE WHEN series_id = '' THEN id ELSE series_id END) FROM bookings
		WHERE mentor_id = ? AND mentee_id = ? AND status = ? AND end_at > ?`,
		mentorID, menteeID, StatusConfirmed, UTCSecond(now)).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count upcoming commitments: %w", translate(err))
	}
	return int(n), nil
}

// Busy intervals longer than shortBusy are found through the partial
// index busy_intervals_long; shorter ones by a range of starts from
// shortBusy before a window, so that each window reads only its rows
// whatever the size of the table.
const shortBusy = 4 * time.Hour

// MentorBusyIn reads the busy time of a mentor's conflict-checked
// calendars that overlaps any of windows, in one query of one index range
// per window (plus the long intervals): a series' days, without the
// weeks between them. An interval may be listed more than once.
func (q Q) MentorBusyIn(ctx context.Context, mentorID string, windows [][2]time.Time) ([]BusySpan, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	const cols = `SELECT b.start_at, b.end_at, c.provider
		FROM busy_intervals b
		JOIN calendars k ON k.id = b.calendar_id
		JOIN connections c ON c.id = k.connection_id
		WHERE b.mentor_id = ? AND k.check_conflicts = ? AND `
	var sql strings.Builder
	args := make([]any, 0, 6*len(windows)+6)
	lo, hi := span(windows)
	long := "b.end_at - b.start_at > interval '4 hours'"
	if q.dialect != Postgres {
		long = "(julianday(b.end_at) - julianday(b.start_at)) * 24 > 4"
	}
	sql.WriteString(cols + long + " AND b.start_at < ? AND b.end_at > ?")
	args = append(args, mentorID, true, UTCSecond(hi), UTCSecond(lo))
	for _, w := range windows {
		sql.WriteString(" UNION ALL " + cols + "b.start_at >= ? AND b.start_at < ? AND b.end_at > ?")
		args = append(args, mentorID, true, UTCSecond(w[0].Add(-shortBusy)), UTCSecond(w[1]), UTCSecond(w[0]))
	}
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(sql.String(), args...).Rows()
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

// MentorSessionsIn reads a mentor's live sessions that overlap any of
// windows, one index range per window (a session lasts at most a day).
func (q Q) MentorSessionsIn(ctx context.Context, mentorID string, windows [][2]time.Time) ([]SessionSpan, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	var sql strings.Builder
	args := make([]any, 0, 5*len(windows))
	for i, w := range windows {
		if i > 0 {
			sql.WriteString(" UNION ")
		}
		sql.WriteString("SELECT id, start_at, end_at FROM bookings WHERE mentor_id = ? AND status = ? AND start_at > ? AND start_at < ? AND end_at > ?")
		args = append(args, mentorID, StatusConfirmed, UTCSecond(w[0].Add(-24*time.Hour)), UTCSecond(w[1]), UTCSecond(w[0]))
	}
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(sql.String(), args...).Rows()
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

func span(windows [][2]time.Time) (lo, hi time.Time) {
	lo, hi = windows[0][0], windows[0][1]
	for _, w := range windows {
		if w[0].Before(lo) {
			lo = w[0]
		}
		if w[1].After(hi) {
			hi = w[1]
		}
	}
	return lo, hi
}
