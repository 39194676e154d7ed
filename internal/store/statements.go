package store

import (
	"context"
	"fmt"
	"time"
)

// StatementRow is one mentor's figures for a statement month.
type StatementRow struct {
	MentorID, MentorName, Timezone  string
	Completed, NoShow, MentorNoShow int
	LateCancel, Unreported, Minutes int
}

// MentorZones lists the time zones mentors use.
func (q Q) MentorZones(ctx context.Context) ([]string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var zones []string
	if err := db.Model(&Mentor{}).Distinct("timezone").Order("timezone").Pluck("timezone", &zones).Error; err != nil {
		return nil, fmt.Errorf("list mentor zones: %w", translate(err))
	}
	return zones, nil
}

// StatementRows counts, per mentor with a session in the month, the
// sessions that start in it in the mentor's own zone (months holds the
// month's window in every zone, joined in as a VALUES list): each
// outcome, the unreported ones (confirmed, over at now, no outcome) and
// the minutes of completed sessions. mentorID, when set, keeps one
// mentor.
//
// Every zone's month holds the core from the latest window start to the
// earliest window end, so sessions there are counted without looking at
// their mentor; only the edges (a day or so on each side) are joined to
// the mentors' zones. That keeps the join off 95 % of the rows, and keeps
// PostgreSQL's generic plan (pgx prepares the statement, and after five
// runs the server may plan for any parameters) from scanning the month
// once per zone. CROSS JOIN keeps SQLite from reading the sessions per
// zone by the zone's whole month instead of by the edges.
func (q Q) StatementRows(ctx context.Context, months []MonthWindow, now time.Time, mentorID string) ([]StatementRow, error) {
	if len(months) == 0 {
		return nil, nil
	}
	zoneRow, minutes := "(?, ?, ?)", "CAST(ROUND((julianday(b.end_at) - julianday(b.start_at)) * 1440) AS INTEGER)"
	if q.dialect == Postgres {
		zoneRow = "(CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))"
		// date_part is a float; EXTRACT's numeric costs a tenth of the query.
		minutes = "CAST(ROUND(date_part('epoch', b.end_at - b.start_at) / 60) AS INTEGER)"
	}
	lo, hi := months[0].Start, months[0].End
	coreLo, coreHi := lo, hi
	args := make([]any, 0, 3*len(months)+10)
	for _, m := range months {
		args = append(args, m.Timezone, UTCSecond(m.Start), UTCSecond(m.End))
		lo, hi = minTime(lo, m.Start), maxTime(hi, m.End)
		coreLo, coreHi = maxTime(coreLo, m.Start), minTime(coreHi, m.End)
	}
	if coreHi.Before(coreLo) {
		coreHi = coreLo // no common core: the edges are the whole span
	}
	filter := ""
	if mentorID != "" {
		filter = "AND b.mentor_id = ?"
	}
	withMentor := func(a ...any) []any {
		if mentorID != "" {
			a = append(a, mentorID)
		}
		return a
	}
	args = append(args, withMentor(UTCSecond(coreLo), UTCSecond(coreHi))...)
	args = append(args, withMentor(UTCSecond(lo), UTCSecond(coreLo), UTCSecond(coreHi), UTCSecond(hi))...)
	args = append(args, UTCSecond(now))
	// Aggregate by mentor id first (narrow rows, FILTER rather than
	// CASE), then add the names: the aggregate is most of the work.
	query := `WITH zones (zone_name, month_start, month_end) AS (VALUES ` + placeholders(len(months), zoneRow) + `),
		sessions AS (
			SELECT b.mentor_id, b.start_at, b.end_at, b.status, b.outcome FROM bookings b
			WHERE b.start_at >= ? AND b.start_at < ? ` + filter + `
			UNION ALL
			SELECT b.mentor_id, b.start_at, b.end_at, b.status, b.outcome
			FROM bookings b CROSS JOIN mentors m CROSS JOIN zones z
			WHERE m.id = b.mentor_id AND z.zone_name = m.timezone
				AND ((b.start_at >= ? AND b.start_at < ?) OR (b.start_at >= ? AND b.start_at < ?)) ` + filter + `
				AND b.start_at >= z.month_start AND b.start_at < z.month_end),
		counts AS (
			SELECT b.mentor_id,
				COUNT(*) FILTER (WHERE b.outcome = 'completed') AS completed,
				COUNT(*) FILTER (WHERE b.outcome = 'no_show') AS no_show,
				COUNT(*) FILTER (WHERE b.outcome = 'mentor_no_show') AS mentor_no_show,
				COUNT(*) FILTER (WHERE b.outcome = 'late_cancel') AS late_cancel,
				COUNT(*) FILTER (WHERE b.outcome IS NULL AND b.status = 'confirmed' AND b.end_at <= ?) AS unreported,
				COALESCE(SUM(` + minutes + `) FILTER (WHERE b.outcome = 'completed'), 0) AS minutes
			FROM sessions b
			GROUP BY b.mentor_id)
		SELECT m.id, m.name, m.timezone, c.completed, c.no_show, c.mentor_no_show, c.late_cancel, c.unreported, c.minutes
		FROM counts c JOIN mentors m ON m.id = c.mentor_id
		ORDER BY m.name, m.id`
	var out []StatementRow
	err := q.eachRow(ctx, query, args, func(scan func(...any) error) error {
		var r StatementRow
		err := scan(&r.MentorID, &r.MentorName, &r.Timezone, &r.Completed, &r.NoShow, &r.MentorNoShow, &r.LateCancel, &r.Unreported, &r.Minutes)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count the statement's sessions: %w", err)
	}
	return out, nil
}

// LockMonth serialises closing a statement month against reports on its
// sessions: a report takes it shared, closing exclusive, until the
// transaction ends. SQLite's write transactions are serial already.
func (t *Tx) LockMonth(ctx context.Context, month string, exclusive bool) error {
	if t.dialect != Postgres {
		return nil
	}
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	db, cancel := t.with(ctx)
	defer cancel()
	if err := db.Exec("SELECT "+fn+"(CAST(? AS INTEGER), hashtext(?))", monthLockSpace, month).Error; err != nil {
		return fmt.Errorf("lock statement month %s: %w", month, translate(err))
	}
	return nil
}

// monthLockSpace keeps statement-month advisory locks apart from others.
const monthLockSpace = 7346216
