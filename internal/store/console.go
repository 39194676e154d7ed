package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The staff console's reads: each is one or two queries over indexes, none
// reads the whole history of sessions (see BENCHMARKS.md, "Console").

// MentorLoadRow is a mentor with their active mentees and calendar errors.
type MentorLoadRow struct {
	ID, Name, Email, Timezone string
	Status                    string // active, paused, inactive
	MaxMentees, Active        int
	HasHours                  bool
	CalendarErrors            int
}

// mentorLoadSelect is the columns of MentorLoadRow, over mentors m joined
// to the active counts a and the calendar errors c.
const mentorLoadSelect = `SELECT m.id, m.name, m.email, m.timezone, m.status, m.max_mentees, COALESCE(a.n, 0),
		CASE WHEN m.weekly_hours IN ('', '[]', 'null') THEN 0 ELSE 1 END, COALESCE(c.n, 0)
	FROM mentors m
	LEFT JOIN (SELECT mentor_id, COUNT(*) AS n FROM mentees WHERE status = 'active' AND mentor_id IS NOT NULL GROUP BY mentor_id) a ON a.mentor_id = m.id
	LEFT JOIN (SELECT mentor_id, COUNT(*) AS n FROM calendars WHERE sync_error <> '' GROUP BY mentor_id) c ON c.mentor_id = m.id`

func scanMentorLoad(scan func(...any) error) (MentorLoadRow, error) {
	var r MentorLoadRow
	var hours int
	err := scan(&r.ID, &r.Name, &r.Email, &r.Timezone, &r.Status, &r.MaxMentees, &r.Active, &hours, &r.CalendarErrors)
	r.HasHours = hours == 1
	return r, err
}

// MentorLoads is every mentor's load: one pass over mentors, mentees and
// calendars (2,000 mentors are a few hundred kilobytes).
func (q Q) MentorLoads(ctx context.Context) ([]MentorLoadRow, error) {
	var out []MentorLoadRow
	err := q.eachRow(ctx, mentorLoadSelect, nil, func(scan func(...any) error) error {
		r, err := scanMentorLoad(scan)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mentor loads: %w", err)
	}
	return out, nil
}

// MentorListFilter narrows the console's mentor list.
type MentorListFilter struct {
	Query string // part of the name or e-mail, any case
	// Load is "", "free" (places left), "full" (no place left),
	// "overloaded" (more than the maximum), "no_hours",
	// "calendar_errors", "paused" or "inactive".
	Load string
}

// MentorsPage lists mentors by (name, id) after the given key.
func (q Q) MentorsPage(ctx context.Context, f MentorListFilter, afterName, afterID string, limit int) ([]MentorLoadRow, error) {
	var conds []string
	var args []any
	if f.Query != "" {
		like := likePattern(f.Query)
		conds = append(conds, `(LOWER(m.name) LIKE ? ESCAPE '\' OR LOWER(m.email) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	switch f.Load {
	case "free":
		conds = append(conds, "COALESCE(a.n, 0) < m.max_mentees")
	case "full":
		conds = append(conds, "COALESCE(a.n, 0) >= m.max_mentees")
	case "overloaded":
		conds = append(conds, "COALESCE(a.n, 0) > m.max_mentees")
	case "no_hours":
		conds = append(conds, "m.weekly_hours IN ('', '[]', 'null')")
	case "calendar_errors":
		conds = append(conds, "COALESCE(c.n, 0) > 0")
	case "paused", "inactive":
		conds = append(conds, "m.status = ?")
		args = append(args, f.Load)
	}
	if afterID != "" {
		conds = append(conds, "(m.name > ? OR (m.name = ? AND m.id > ?))")
		args = append(args, afterName, afterName, afterID)
	}
	query := mentorLoadSelect
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY m.name, m.id LIMIT ?"
	args = append(args, limit)
	var out []MentorLoadRow
	err := q.eachRow(ctx, query, args, func(scan func(...any) error) error {
		r, err := scanMentorLoad(scan)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mentors page: %w", err)
	}
	return out, nil
}

// MenteeListFilter narrows the console's mentee list.
type MenteeListFilter struct {
	Query    string // part of the name or e-mail, any case
	MentorID string
	Status   string // "", active, ended
	// OverdueSince, when set, keeps active mentees with no session held
	// (or booked) since then and assigned before then.
	OverdueSince time.Time
	Now          time.Time
}

// MenteeRow is a mentee as the console lists them.
type MenteeRow struct {
	ID, Name, Email, Status string
	MentorID, MentorName    string
	AssignedAt              time.Time
	NextStart, LastStart    time.Time // zero when none
}

// overdueCond keeps active mentees assigned before ? with no live session
// since ? (held and not missed, or still to come) with their mentor; the
// same rule as a caseload's "overdue" (see mentoring.Caseload), read from
// the pair's latest live session kept on the mentee's row (migration
// 00024): "no live session since, or none" is COALESCE(last live,
// assigned) up to since, given assigned before since: one range of the
// mentees_quiet index.
const overdueCond = `e.status = 'active' AND e.mentor_id IS NOT NULL AND COALESCE(e.last_live_at, e.assigned_at) <= ? AND e.assigned_at < ?`

// MenteesPage lists mentees by (name, id) after the given key, with their
// mentor's name and their next and last sessions.
func (q Q) MenteesPage(ctx context.Context, f MenteeListFilter, afterName, afterID string, limit int) ([]MenteeRow, error) {
	now := UTCSecond(f.Now)
	args := []any{now, now}
	var conds []string
	if f.Query != "" {
		like := likePattern(f.Query)
		conds = append(conds, `(LOWER(e.name) LIKE ? ESCAPE '\' OR e.email_key LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.MentorID != "" {
		conds = append(conds, "e.mentor_id = ?")
		args = append(args, f.MentorID)
	}
	if f.Status != "" {
		conds = append(conds, "e.status = ?")
		args = append(args, f.Status)
	}
	if !f.OverdueSince.IsZero() {
		since := UTCSecond(f.OverdueSince)
		conds = append(conds, overdueCond)
		args = append(args, since, since)
	}
	if afterID != "" {
		conds = append(conds, "(e.name > ? OR (e.name = ? AND e.id > ?))")
		args = append(args, afterName, afterName, afterID)
	}
	query := `SELECT e.id, e.name, e.email, e.status, COALESCE(e.mentor_id, ''), COALESCE(m.name, ''), e.assigned_at,
			(SELECT MIN(nb.start_at) FROM bookings nb WHERE nb.mentee_id = e.id AND nb.status = 'confirmed' AND nb.start_at > ?),
			(SELECT MAX(lb.start_at) FROM bookings lb WHERE lb.mentee_id = e.id AND lb.status = 'confirmed' AND lb.start_at <= ?
				AND (lb.outcome IS NULL OR lb.outcome = 'completed'))
		FROM mentees e LEFT JOIN mentors m ON m.id = e.mentor_id`
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY e.name, e.id LIMIT ?"
	args = append(args, limit)
	var out []MenteeRow
	err := q.eachRow(ctx, query, args, func(scan func(...any) error) error {
		var r MenteeRow
		var assigned, next, last nullTime
		if err := scan(&r.ID, &r.Name, &r.Email, &r.Status, &r.MentorID, &r.MentorName, &assigned, &next, &last); err != nil {
			return err
		}
		r.AssignedAt, r.NextStart, r.LastStart = assigned.Time, next.Time, last.Time
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mentees page: %w", err)
	}
	return out, nil
}

// AttentionPair is a mentee (with their mentor) who needs a look.
type AttentionPair struct {
	MenteeID, MenteeName, MentorID, MentorName string
	Since                                      time.Time // assignment, or the unreported session's start
	BookingID                                  string    // the unreported session
}

// OverduePairs counts the overdue pairs (see overdueCond) and lists the
// longest-waiting first, up to limit.
func (q Q) OverduePairs(ctx context.Context, since time.Time, limit int) (int, []AttentionPair, error) {
	s := UTCSecond(since)
	return q.attention(ctx, overdueCond, false, "", "e.assigned_at", []any{s, s}, limit)
}

// NeverBooked counts the active mentees who never booked a session with
// their mentor, and lists those assigned longest ago first (the
// mentees_never_booked index, in its order).
func (q Q) NeverBooked(ctx context.Context, limit int) (int, []AttentionPair, error) {
	return q.attention(ctx, `e.status = 'active' AND e.mentor_id IS NOT NULL AND NOT e.booked`, false, "mentees_never_booked", "e.assigned_at", nil, limit)
}

// UnreportedSessions counts the sessions that ended before before with no
// outcome (through the bookings_open index) and lists the oldest first.
func (q Q) UnreportedSessions(ctx context.Context, before time.Time, limit int) (int, []AttentionPair, error) {
	// Every session has its mentee and mentor (foreign keys): the count
	// reads the partial index alone, without the joins; the list walks
	// bookings_unreported_start in start order and stops at limit.
	const where = `WHERE b.status = 'confirmed' AND b.outcome IS NULL AND b.end_at <= ?`
	return q.attentionCounted(ctx, `SELECT COUNT(*) FROM bookings b `+where,
		`FROM bookings b JOIN mentees e ON e.id = b.mentee_id JOIN mentors m ON m.id = b.mentor_id `+where,
		"b.start_at", "b.mentee_id", "b.id", []any{UTCSecond(before)}, limit)
}

// attention counts the mentees e that match where and lists the first
// limit by since, with their mentors m. The count reads mentees alone
// unless where tests the mentor (withMentor): a mentor is there for every
// mentor_id (foreign key). Mentees come first in the join (CROSS JOIN
// keeps that order on SQLite; PostgreSQL plans it as an inner join), so
// the planner walks the index of where rather than every mentor's
// mentees. On SQLite the count reads the named index when one is given:
// its planner takes an empty partial index (after ANALYZE) for a large
// one and walks every active mentee instead.
func (q Q) attention(ctx context.Context, where string, withMentor bool, index, since string, args []any, limit int) (int, []AttentionPair, error) {
	from := "FROM mentees e CROSS JOIN mentors m WHERE m.id = e.mentor_id AND " + where
	count := "SELECT COUNT(*) FROM mentees e WHERE " + where
	if index != "" && q.dialect == SQLite {
		count = "SELECT COUNT(*) FROM mentees e INDEXED BY " + index + " WHERE " + where
	}
	if withMentor {
		count = "SELECT COUNT(*) " + from
	}
	return q.attentionCounted(ctx, count, from, since, "e.id", "''", args, limit)
}

// attentionCounted is attention with its own count query (over the same
// rows, with the same arguments) and the column that breaks ties of since
// (equal to e.id, named as the index that orders the rows has it).
func (q Q) attentionCounted(ctx context.Context, count, from, since, tie, bookingID string, args []any, limit int) (int, []AttentionPair, error) {
	var n int
	if err := q.eachRow(ctx, count, args, func(scan func(...any) error) error { return scan(&n) }); err != nil {
		return 0, nil, fmt.Errorf("count pairs needing attention: %w", err)
	}
	if n == 0 || limit <= 0 {
		return n, nil, nil
	}
	var out []AttentionPair
	query := "SELECT e.id, e.name, m.id, m.name, " + since + ", " + bookingID + " " + from + " ORDER BY " + since + ", " + tie + " LIMIT ?"
	err := q.eachRow(ctx, query, append(args, limit), func(scan func(...any) error) error {
		var p AttentionPair
		var at nullTime
		if err := scan(&p.MenteeID, &p.MenteeName, &p.MentorID, &p.MentorName, &at, &p.BookingID); err != nil {
			return err
		}
		p.Since = at.Time
		out = append(out, p)
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("list pairs needing attention: %w", err)
	}
	return n, out, nil
}

// ProgramMonth is the programme's figures over one window of session starts.
type ProgramMonth struct {
	Sessions, Completed, NoShow, MentorNoShow, LateCancel, Cancelled, Unreported int
	MinutesCompleted                                                             int
	Assigned                                                                     int // mentorships started (mentees assigned) in the window
}

// ProgramFigures sums the sessions that start in [from, to) (a range of
// the bookings_start_id index) and counts the mentorships started then (assignments);
// sessions that ended before unreportedBefore with no outcome count as
// unreported.
func (q Q) ProgramFigures(ctx context.Context, from, to, unreportedBefore time.Time) (ProgramMonth, error) {
	minutes := "(julianday(b.end_at) - julianday(b.start_at)) * 1440"
	if q.dialect == Postgres {
		minutes = "EXTRACT(EPOCH FROM (b.end_at - b.start_at)) / 60"
	}
	var f ProgramMonth
	f0, t0 := UTCSecond(from), UTCSecond(to)
	err := q.eachRow(ctx, `SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN b.status = 'confirmed' AND b.outcome = 'completed' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN b.outcome = 'no_show' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN b.outcome = 'mentor_no_show' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN b.outcome = 'late_cancel' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN b.status = 'confirmed' AND b.outcome IS NULL AND b.end_at <= ? THEN 1 ELSE 0 END), 0),
			CAST(COALESCE(SUM(CASE WHEN b.status = 'confirmed' AND b.outcome = 'completed' THEN `+minutes+` ELSE 0 END), 0) AS INTEGER)
		FROM bookings b WHERE b.start_at >= ? AND b.start_at < ?`, []any{UTCSecond(unreportedBefore), f0, t0},
		func(scan func(...any) error) error {
			return scan(&f.Sessions, &f.Completed, &f.NoShow, &f.MentorNoShow, &f.LateCancel, &f.Cancelled, &f.Unreported, &f.MinutesCompleted)
		})
	if err != nil {
		return f, fmt.Errorf("programme figures: %w", err)
	}
	err = q.eachRow(ctx, `SELECT COUNT(*) FROM mentees WHERE assigned_at >= ? AND assigned_at < ?`, []any{f0, t0},
		func(scan func(...any) error) error { return scan(&f.Assigned) })
	if err != nil {
		return f, fmt.Errorf("mentorships started: %w", err)
	}
	return f, nil
}

// likePattern is a LIKE pattern for "contains s" without case, with the
// pattern characters of s escaped (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}
