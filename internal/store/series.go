package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
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

// windowsWith names the windows of a series "w" (columns from_at, to_at,
// after_at: the range of starts to read and the end a row must pass),
// from one JSON parameter of windowRows, for eachWindow to join the index
// one window at a time. One statement text for any number of windows is
// what keeps these reads cheap: a UNION ALL of one SELECT per window had
// PostgreSQL plan 27 joins on each of a connection's first five
// executions (10-30 ms, which was the preview's p99) and SQLite parse
// them on every call.
func (q Q) windowsWith() string {
	if q.dialect == Postgres {
		return `WITH w AS MATERIALIZED (SELECT * FROM jsonb_to_recordset(CAST(? AS jsonb))
			AS r(from_at timestamptz, to_at timestamptz, after_at timestamptz)) `
	}
	return `WITH w AS MATERIALIZED (SELECT value->>'from_at' AS from_at, value->>'to_at' AS to_at,
		value->>'after_at' AS after_at FROM json_each(?)) `
}

// windowRows is the parameter of windowsWith: each window's range of
// starts from before ahead of it, written as each database compares
// times (RFC 3339 for timestamptz, the driver's text format for SQLite).
func (q Q) windowRows(windows [][2]time.Time, before time.Duration) string {
	layout := time.RFC3339
	if q.dialect != Postgres {
		layout = string(sqlite3.TimeFormat3) // _timefmt=sqlite
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, w := range windows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"from_at":%q,"to_at":%q,"after_at":%q}`, UTCSecond(w[0].Add(-before)).Format(layout),
			UTCSecond(w[1]).Format(layout), UTCSecond(w[0]).Format(layout))
	}
	b.WriteByte(']')
	return b.String()
}

// eachWindow selects cols of the rows of table b that meet cond (which
// reads w) in each window, the windows as the outer loop whatever the
// statistics say: right after a calendar sync, before ANALYZE, PostgreSQL
// otherwise joins all of the mentor's rows (380 ms for 100,000), so the
// lateral subquery is kept from being flattened (OFFSET 0); SQLite keeps
// the order of a CROSS JOIN.
func (q Q) eachWindow(cols, table, cond string) string {
	if q.dialect == Postgres {
		return `SELECT x.* FROM w CROSS JOIN LATERAL (SELECT ` + cols + ` FROM ` + table + ` b WHERE ` + cond + ` OFFSET 0) x`
	}
	return `SELECT ` + cols + ` FROM w CROSS JOIN ` + table + ` b WHERE ` + cond
}

// MentorBusyIn reads the busy time of a mentor's conflict-checked
// calendars that overlaps any of windows, in one query of one index range
// per window (plus the long intervals): a series' days, without the
// weeks between them. An interval may be listed more than once.
func (q Q) MentorBusyIn(ctx context.Context, mentorID string, windows [][2]time.Time) ([]BusySpan, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	lo, hi := span(windows)
	long := "b.end_at - b.start_at > interval '4 hours'"
	if q.dialect != Postgres {
		long = "(julianday(b.end_at) - julianday(b.start_at)) * 24 > 4"
	}
	sql := q.windowsWith() + `SELECT s.start_at, s.end_at, c.provider FROM (
		SELECT b.start_at, b.end_at, b.calendar_id FROM busy_intervals b
		WHERE b.mentor_id = ? AND ` + long + ` AND b.start_at < ? AND b.end_at > ?
		UNION ALL ` + q.eachWindow("b.start_at, b.end_at, b.calendar_id", "busy_intervals",
		"b.mentor_id = ? AND b.start_at >= w.from_at AND b.start_at < w.to_at AND b.end_at > w.after_at") + `) s
		JOIN calendars k ON k.id = s.calendar_id
		JOIN connections c ON c.id = k.connection_id
		WHERE k.check_conflicts = ?`
	db, cancel := q.with(ctx)
	defer cancel()
	rows, err := db.Raw(sql, q.windowRows(windows, shortBusy), mentorID, UTCSecond(hi), UTCSecond(lo),
		mentorID, true).Rows()
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
	db, cancel := q.with(ctx)
	defer cancel()
	sql := q.windowsWith() + `SELECT DISTINCT s.id, s.start_at, s.end_at FROM (` + q.eachWindow("b.id, b.start_at, b.end_at", "bookings",
		"b.mentor_id = ? AND b.status = ? AND b.start_at > w.from_at AND b.start_at < w.to_at AND b.end_at > w.after_at") + `) s`
	rows, err := db.Raw(sql, q.windowRows(windows, 24*time.Hour), mentorID, StatusConfirmed).Rows()
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
