package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// MenteeActive and MenteeEnded are the statuses of a mentee.
const (
	MenteeActive = "active"
	MenteeEnded  = "ended"
)

// AssignmentCandidates lists the ids of active mentors with weekly hours
// and a free place (a mentor nobody can book is no place for a mentee), best
// first: most free places, then fewest upcoming sessions, then the mentor
// whose latest assignment is oldest (never assigned counts as oldest).
// within, when not nil, restricts the ranking to those mentors.
func (q Q) AssignmentCandidates(ctx context.Context, now time.Time, within []string) ([]string, error) {
	args := []any{UTCSecond(now)}
	filter := ""
	if within != nil {
		if len(within) == 0 {
			return nil, nil
		}
		filter, args = " AND m.id IN ?", append(args, within)
	}
	var ids []string
	err := q.eachRow(ctx, `SELECT m.id
		FROM mentors m
		LEFT JOIN (SELECT mentor_id, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active,
				MAX(assigned_at) AS last_assigned
			FROM mentees GROUP BY mentor_id) a ON a.mentor_id = m.id
		LEFT JOIN (SELECT mentor_id, COUNT(*) AS upcoming FROM bookings
			WHERE status = 'confirmed' AND start_at > ? GROUP BY mentor_id) u ON u.mentor_id = m.id
		WHERE m.max_mentees > COALESCE(a.active, 0) AND m.status = 'active'
			AND m.weekly_hours NOT IN ('', '[]', 'null')`+filter+`
		ORDER BY m.max_mentees - COALESCE(a.active, 0) DESC, COALESCE(u.upcoming, 0),
			CASE WHEN a.last_assigned IS NULL THEN 0 ELSE 1 END, a.last_assigned, m.id`, args,
		func(scan func(...any) error) error {
			var id string
			err := scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("rank mentors for assignment: %w", err)
	}
	return ids, nil
}

// LockMentors takes the row locks of several mentors in id order, the one
// order every multi-mentor locker uses, so two of them cannot deadlock.
// SQLite's IMMEDIATE transactions already serialise writers.
func (q Q) LockMentors(ctx context.Context, ids []string) error {
	if q.dialect != Postgres || len(ids) == 0 {
		return nil
	}
	db, cancel := q.with(ctx)
	defer cancel()
	var locked []string
	if err := db.Raw("SELECT id FROM mentors WHERE id IN ? ORDER BY id FOR UPDATE", ids).Scan(&locked).Error; err != nil {
		return fmt.Errorf("lock %d mentors: %w", len(ids), translate(err))
	}
	return nil
}

// MentorCapacity is what a caseload needs of a mentor.
type MentorCapacity struct {
	ID         string
	MaxMentees int
	Timezone   string
}

// MentorCapacities lists every mentor (or only mentorID), oldest first.
func (q Q) MentorCapacities(ctx context.Context, mentorID string) ([]MentorCapacity, error) {
	query, args := "SELECT id, max_mentees, timezone FROM mentors", []any{}
	if mentorID != "" {
		query, args = query+" WHERE id = ?", append(args, mentorID)
	}
	var out []MentorCapacity
	err := q.eachRow(ctx, query+" ORDER BY created_at, id", args, func(scan func(...any) error) error {
		var m MentorCapacity
		err := scan(&m.ID, &m.MaxMentees, &m.Timezone)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read mentor capacities: %w", err)
	}
	return out, nil
}

// nullTime scans a time that SQLite may hand over as text (aggregates
// lose the column's declared type) and PostgreSQL as a time.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.Valid = false
		return nil
	case time.Time:
		n.Time, n.Valid = x.UTC(), true
		return nil
	case string, []byte, int64, float64:
		if b, ok := x.([]byte); ok {
			v = string(b)
		}
		t, err := sqlite3.TimeFormatAuto.Decode(v)
		if err != nil {
			return fmt.Errorf("decode time %v: %w", v, err)
		}
		n.Time, n.Valid = t.UTC(), true
		return nil
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

var _ sql.Scanner = (*nullTime)(nil)

// placeholders is "(?, ?, ?), (?, ?, ?)…" for n rows of a VALUES list.
func placeholders(n int, row string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = row
	}
	return strings.Join(parts, ", ")
}
