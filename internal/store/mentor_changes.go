package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MentorChanges is told of every committed change to what a mentor's
// free slots or booking links depend on (their row, sessions, busy time,
// calendars, connections, mentees), by any process: the triggers of
// migration 00018 record them.
type MentorChanges interface {
	// Watching starts a stretch in which every change is reported:
	// anything learnt before it may be out of date.
	Watching()
	// Changed reports a change to the mentor's inputs.
	Changed(mentorID string)
	// Lost ends the stretch: changes may go unreported until the next
	// Watching.
	Lost(err error)
}

// pollEvery is how often the change table is read: well within the
// second in which another process's change must show.
const pollEvery = 100 * time.Millisecond

// lookBack is how far back each PostgreSQL poll looks: far more than the
// time from a commit's trigger (changed_at) to the commit being visible.
const lookBack = 10 * time.Second

// WatchMentorChanges reports changes to w until ctx ends, polling the
// change table the triggers of migration 00018 keep: on SQLite by
// sequence number (writers are serialised, so numbers are handed out in
// commit order), on PostgreSQL by the versions of the rows changed lately.
func (s *Store) WatchMentorChanges(ctx context.Context, w MentorChanges) error {
	var read func(ctx context.Context, fresh bool, w MentorChanges) error
	if s.dialect == Postgres {
		read = (&versionPoll{store: s}).read
	} else {
		read = (&sequencePoll{store: s}).read
	}
	watching := false
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		err := read(ctx, !watching, w)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && watching:
			watching = false
			w.Lost(err)
		case err == nil && !watching:
			watching = true
			w.Watching()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// versionPoll follows PostgreSQL's slot_changes: each poll reads the rows
// changed in the last lookBack and reports those whose version it has not
// seen.
type versionPoll struct {
	store *Store
	since time.Time        // the database's clock at the last poll, less lookBack
	seen  map[string]int64 // versions of the rows changed since since
}

func (p *versionPoll) read(ctx context.Context, fresh bool, w MentorChanges) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	if fresh {
		if err := p.store.sqlDB.QueryRowContext(ctx, "SELECT statement_timestamp()").Scan(&p.since); err != nil {
			return fmt.Errorf("read mentor changes: %w", err)
		}
		p.since = p.since.Add(-lookBack)
		p.seen = nil
	}
	rows, err := p.store.sqlDB.QueryContext(ctx,
		"SELECT mentor_id, version, statement_timestamp() FROM slot_changes WHERE changed_at > $1", p.since)
	if err != nil {
		return fmt.Errorf("read mentor changes: %w", err)
	}
	defer rows.Close()
	seen := make(map[string]int64, len(p.seen))
	var changed []string
	var now time.Time
	for rows.Next() {
		var id string
		var version int64
		if err := rows.Scan(&id, &version, &now); err != nil {
			return fmt.Errorf("read mentor changes: %w", err)
		}
		seen[id] = version
		if p.seen != nil && p.seen[id] != version {
			changed = append(changed, id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read mentor changes: %w", err)
	}
	if now.IsZero() {
		// No row: the clock still moves on.
		if err := p.store.sqlDB.QueryRowContext(ctx, "SELECT statement_timestamp()").Scan(&now); err != nil {
			return fmt.Errorf("read mentor changes: %w", err)
		}
	}
	// A row older than the new window was seen in this one: dropping it
	// is safe, as a later change brings it back with a new version.
	p.since, p.seen = now.Add(-lookBack), seen
	for _, id := range changed {
		w.Changed(id)
	}
	return nil
}

// sequencePoll follows SQLite's slot_changes by sequence number.
type sequencePoll struct {
	store *Store
	last  int64
}

// read reports the changes numbered after the last one seen; fresh, it
// only finds where the numbering stands.
func (p *sequencePoll) read(ctx context.Context, fresh bool, w MentorChanges) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	if fresh {
		return p.store.sqlDB.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM slot_changes").Scan(&p.last)
	}
	rows, err := p.store.sqlDB.QueryContext(ctx, "SELECT seq, mentor_id FROM slot_changes WHERE seq > ? ORDER BY seq", p.last)
	if err != nil {
		return fmt.Errorf("read mentor changes: %w", err)
	}
	defer rows.Close()
	var changed []string
	last := p.last
	for rows.Next() {
		var id string
		if err := rows.Scan(&last, &id); err != nil {
			return fmt.Errorf("read mentor changes: %w", err)
		}
		changed = append(changed, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read mentor changes: %w", err)
	}
	p.last = last
	for _, id := range changed {
		w.Changed(id)
	}
	return nil
}
