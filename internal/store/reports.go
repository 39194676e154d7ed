package store

import (
	"context"

	"fmt"
	"time"
)

// MonthClosed reports whether the statement month ("2026-11") is closed.
func (q Q) MonthClosed(ctx context.Context, month string) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	if err := db.Model(&StatementMonth{}).Where("month = ?", month).Count(&n).Error; err != nil {
		return false, fmt.Errorf("read closed month %s: %w", month, translate(err))
	}
	return n > 0, nil
}

// ClosedMonth reads a closed month with its kept statement; ErrNotFound
// while it is open.
func (q Q) ClosedMonth(ctx context.Context, month string) (*StatementMonth, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m StatementMonth
	if err := db.Where("month = ?", month).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("read closed month %s: %w", month, translate(err))
	}
	return &m, nil
}

// CloseMonth stores a closed month; ErrDuplicate when it already was.
func (q Q) CloseMonth(ctx context.Context, m *StatementMonth) error {
	db, cancel := q.with(ctx)
	defer cancel()
	m.ClosedAt = m.ClosedAt.UTC()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("close month %s: %w", m.Month, translate(err))
	}
	return nil
}

// ReportHistory lists a mentee's reported sessions that started before
// before, latest first, at most limit.
func (q Q) ReportHistory(ctx context.Context, menteeID string, before time.Time, limit int) ([]Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var bs []Booking
	err := db.Where("mentee_id = ? AND start_at < ? AND outcome IS NOT NULL", menteeID, UTCSecond(before)).
		Order("start_at DESC, id").Limit(limit).Find(&bs).Error
	if err != nil {
		return nil, fmt.Errorf("read report history of mentee %s: %w", menteeID, translate(err))
	}
	return bs, nil
}

// RecordJoin records the first join of a session's mentor (or mentee) at
// at; it reports false when one was already recorded.
func (q Q) RecordJoin(ctx context.Context, bookingID string, mentor bool, at time.Time) (bool, error) {
	column := "mentee_joined_at"
	if mentor {
		column = "mentor_joined_at"
	}
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&Booking{}).Where("id = ? AND "+column+" IS NULL", bookingID).UpdateColumn(column, UTCSecond(at))
	if res.Error != nil {
		return false, fmt.Errorf("record join of booking %s: %w", bookingID, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// DueReportReminders lists sessions that ended in [from, to) without a
// report and whose mentor was not reminded yet, by end, at most limit.
func (q Q) DueReportReminders(ctx context.Context, from, to time.Time, limit int) ([]string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var ids []string
	err := db.Model(&Booking{}).Where("status = ? AND outcome IS NULL AND report_reminded_at IS NULL AND end_at >= ? AND end_at < ?",
		StatusConfirmed, UTCSecond(from), UTCSecond(to)).Order("end_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions due a report reminder: %w", translate(err))
	}
	return ids, nil
}

// MarkReportReminded records that a session's mentor is reminded to file
// its report; it reports false when the session was reminded already (by
// this or another process), reported, or cancelled meanwhile.
func (q Q) MarkReportReminded(ctx context.Context, bookingID string, now time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&Booking{}).Where("id = ? AND status = ? AND outcome IS NULL AND report_reminded_at IS NULL", bookingID, StatusConfirmed).
		UpdateColumn("report_reminded_at", UTCSecond(now))
	if res.Error != nil {
		return false, fmt.Errorf("record report reminder of booking %s: %w", bookingID, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// MentorUnreportedSessions lists a mentor's sessions that ended before now
// without a report, latest first, at most limit.
func (q Q) MentorUnreportedSessions(ctx context.Context, mentorID string, now time.Time, limit int) ([]Booking, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var bs []Booking
	err := db.Where("mentor_id = ? AND status = ? AND outcome IS NULL AND end_at <= ?", mentorID, StatusConfirmed, UTCSecond(now)).
		Order("end_at DESC, id").Limit(limit).Find(&bs).Error
	if err != nil {
		return nil, fmt.Errorf("list unreported sessions of mentor %s: %w", mentorID, translate(err))
	}
	return bs, nil
}
