package store

import (
	"context"
	"fmt"
	"time"
)

// ReportRow is one session of the sessions report.
type ReportRow struct {
	SessionID, MentorID, MentorName, MenteeID, MenteeName string
	Start, End                                            time.Time
	Status                                                string
	Outcome                                               *string
	VideoProvider                                         string
	MentorTimezone, MenteeTimezone                        string
	CancelReason, CancelledBy                             string
}

// ReportPage selects one batch of the report: sessions starting in
// [From, To), optionally of one mentor, after the (AfterStart, AfterID)
// keyset position, by start then id.
type ReportPage struct {
	From, To   time.Time
	MentorID   string
	AfterStart time.Time // zero: from the beginning
	AfterID    string
	Limit      int
}

// ReportSessions reads one batch of the report. Batching by keyset keeps
// memory flat however long the period, and each batch uses the
// (start_at, id) or (mentor_id, start_at) index.
func (q Q) ReportSessions(ctx context.Context, p ReportPage) ([]ReportRow, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	query := `SELECT b.id, b.mentor_id, m.name, b.mentee_id, e.name, b.start_at, b.end_at, b.status, b.outcome, b.video_provider,
		m.timezone, e.timezone, b.cancel_reason, b.cancelled_by
		FROM bookings b
		JOIN mentors m ON m.id = b.mentor_id
		JOIN mentees e ON e.id = b.mentee_id
		WHERE b.start_at >= ? AND b.start_at < ?`
	args := []any{UTCSecond(p.From), UTCSecond(p.To)}
	if p.MentorID != "" {
		query, args = query+" AND b.mentor_id = ?", append(args, p.MentorID)
	}
	if !p.AfterStart.IsZero() {
		after := UTCSecond(p.AfterStart)
		query, args = query+" AND (b.start_at > ? OR (b.start_at = ? AND b.id > ?))", append(args, after, after, p.AfterID)
	}
	query, args = query+" ORDER BY b.start_at, b.id LIMIT ?", append(args, p.Limit)
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("read sessions report: %w", translate(err))
	}
	defer rows.Close()
	out := make([]ReportRow, 0, p.Limit)
	for rows.Next() {
		var r ReportRow
		var start, end nullTime
		if err := rows.Scan(&r.SessionID, &r.MentorID, &r.MentorName, &r.MenteeID, &r.MenteeName,
			&start, &end, &r.Status, &r.Outcome, &r.VideoProvider,
			&r.MentorTimezone, &r.MenteeTimezone, &r.CancelReason, &r.CancelledBy); err != nil {
			return nil, fmt.Errorf("read sessions report: %w", err)
		}
		r.Start, r.End = start.Time, end.Time
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sessions report: %w", translate(err))
	}
	return out, nil
}
