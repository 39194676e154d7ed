package store

import (
	"context"
	"fmt"
	"time"
)

// Nudges: a pair that has not met within the expected interval (the
// console's overdue rule, overdueCond) is nudged once per quiet spell. A
// spell begins at the assignment or at the pair's last live session; the
// stored nudged_at belongs to the current spell when it is not older than
// the assignment and no live session started since.

// CoordinatorAfterNudge is how long a pair may stay overdue after its
// nudge before the dashboard asks a coordinator to step in.
const CoordinatorAfterNudge = 7 * 24 * time.Hour

// nudgedThisSpell holds for a pair (mentees e) nudged in its current spell:
// no live session started since the nudge (the pair's latest, kept on the
// mentee's row).
const nudgedThisSpell = `(e.nudged_at IS NOT NULL AND e.nudged_at >= e.assigned_at
	AND (e.last_live_at IS NULL OR e.last_live_at < e.nudged_at))`

// nudgeDue is an overdue pair, with a mentor still mentoring, not nudged
// this spell (over mentees e joined to their mentor m).
const nudgeDue = overdueCond + ` AND m.status <> 'inactive' AND NOT ` + nudgedThisSpell

// NudgePair is a mentorship due a nudge.
type NudgePair struct {
	MenteeID, MentorID string
}

// DueNudges lists the pairs overdue since since (no live session since
// then) and not nudged this spell, longest waiting first, at most limit.
func (q Q) DueNudges(ctx context.Context, since time.Time, limit int) ([]NudgePair, error) {
	s := UTCSecond(since)
	var out []NudgePair
	err := q.eachRow(ctx, `SELECT e.id, e.mentor_id FROM mentees e CROSS JOIN mentors m WHERE m.id = e.mentor_id AND `+nudgeDue+`
		ORDER BY e.assigned_at, e.id LIMIT ?`, []any{s, s, limit}, func(scan func(...any) error) error {
		var p NudgePair
		err := scan(&p.MenteeID, &p.MentorID)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list pairs due a nudge: %w", err)
	}
	return out, nil
}

// ClaimNudge marks the pair nudged at now when it is still due (see
// DueNudges), and reports whether this call did. Run it in the
// transaction that enqueues the nudges: the pair's row is locked first
// (PostgreSQL; SQLite's write transactions are serial), so of sweeps
// racing in several processes exactly one claims each spell.
func (q Q) ClaimNudge(ctx context.Context, p NudgePair, since, now time.Time) (bool, error) {
	if q.dialect == Postgres {
		var id string
		if err := q.eachRow(ctx, "SELECT id FROM mentees WHERE id = ? FOR UPDATE", []any{p.MenteeID},
			func(scan func(...any) error) error { return scan(&id) }); err != nil {
			return false, fmt.Errorf("lock mentee %s: %w", p.MenteeID, err)
		}
	}
	// A statement after the lock sees what a racing sweep committed.
	s := UTCSecond(since)
	var due int
	err := q.eachRow(ctx, `SELECT COUNT(*) FROM mentees e JOIN mentors m ON m.id = e.mentor_id WHERE e.id = ? AND e.mentor_id = ? AND `+nudgeDue,
		[]any{p.MenteeID, p.MentorID, s, s}, func(scan func(...any) error) error { return scan(&due) })
	if err != nil {
		return false, fmt.Errorf("check the nudge of mentee %s: %w", p.MenteeID, err)
	}
	if due == 0 {
		return false, nil
	}
	if err := q.Exec(ctx, "UPDATE mentees SET nudged_at = ? WHERE id = ?", UTCSecond(now), p.MenteeID); err != nil {
		return false, fmt.Errorf("mark mentee %s nudged: %w", p.MenteeID, err)
	}
	return true, nil
}

// LastLiveSession is the start of the pair's last session held (or not
// missed) at or before now; zero when none.
func (q Q) LastLiveSession(ctx context.Context, p NudgePair, now time.Time) (time.Time, error) {
	var last nullTime
	err := q.eachRow(ctx, `SELECT MAX(start_at) FROM bookings WHERE mentee_id = ? AND mentor_id = ? AND start_at <= ?
		AND status = 'confirmed' AND (outcome IS NULL OR outcome = 'completed')`, []any{p.MenteeID, p.MentorID, UTCSecond(now)},
		func(scan func(...any) error) error { return scan(&last) })
	if err != nil {
		return time.Time{}, fmt.Errorf("last session of mentee %s: %w", p.MenteeID, err)
	}
	return last.Time, nil
}

// NeedsCoordinator counts the overdue pairs (no live session since since)
// that a nudge did not move: nudged this spell at or before nudgedBefore,
// or whose mentor is inactive (never nudged: they cannot book). It lists
// the longest waiting first, up to limit; Since is the nudge (or the
// assignment).
func (q Q) NeedsCoordinator(ctx context.Context, since, nudgedBefore time.Time, limit int) (int, []AttentionPair, error) {
	s := UTCSecond(since)
	return q.attention(ctx, overdueCond+` AND ((`+nudgedThisSpell+` AND e.nudged_at <= ?) OR m.status = 'inactive')`, true, "",
		"COALESCE(e.nudged_at, e.assigned_at)", []any{s, s, UTCSecond(nudgedBefore)}, limit)
}
