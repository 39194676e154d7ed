package store

import (
	"context"
	"fmt"
	"hash/fnv"
)

// LockPerson serialises, until tx ends, the changes to one person's
// mentorships across processes (by email key): two mentors adding the same
// person at once would otherwise both see them free. SQLite's IMMEDIATE
// transactions already serialise writers.
func (t *Tx) LockPerson(ctx context.Context, emailKey string) error {
	if t.dialect != Postgres {
		return nil
	}
	db, cancel := t.with(ctx)
	defer cancel()
	h := fnv.New64a()
	h.Write([]byte("rendezvous/person/" + emailKey))
	if err := db.Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error; err != nil {
		return fmt.Errorf("lock person: %w", translate(err))
	}
	return nil
}

// ActiveMentorsOf lists the mentors of whom the person (by email key) is an
// active mentee.
func (q Q) ActiveMentorsOf(ctx context.Context, emailKey string) ([]string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var ids []string
	err := db.Model(&Mentee{}).Where("email_key = ? AND status = 'active'", emailKey).Order("mentor_id").Pluck("mentor_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("mentors of a person: %w", translate(err))
	}
	return ids, nil
}
