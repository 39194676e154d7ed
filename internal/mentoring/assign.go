package mentoring

import (
	"context"
	"errors"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// CreateMentee adds a mentee to mentorID, or without one to the mentor
// with the most free places. A mentor adds mentees to themselves only.
func (s *Service) CreateMentee(ctx context.Context, by access.Principal, mentorID string, in MenteeInput) (*Mentee, error) {
	if !by.IsStaff() {
		if mentorID == "" {
			mentorID = by.MentorID
		}
		if !by.MayActFor(mentorID) {
			return nil, apperr.Errorf(apperr.Forbidden, "a mentor can only add mentees to themselves")
		}
	}
	// Validate before taking any lock.
	in, err := CheckMentee(in)
	if err != nil {
		return nil, err
	}
	var created *store.Mentee
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		mentor, err := s.lockAssignee(ctx, tx, mentorID)
		if err != nil {
			return err
		}
		if created, _, err = s.AddMenteeTx(ctx, tx, mentor, in); err != nil {
			return err
		}
		return s.welcomeTx(ctx, tx, in.Silent, created, mentor)
	})
	if err != nil {
		return nil, err
	}
	return s.menteeView(created)
}

// welcomeTx enqueues a new mentee's welcome, unless silent.
func (s *Service) welcomeTx(ctx context.Context, tx *store.Tx, silent bool, e *store.Mentee, mentor *store.Mentor) error {
	if silent || s.welcomes == nil {
		return nil
	}
	return s.welcomes.MenteeJoinedTx(ctx, tx, e, mentor)
}

// lockAssignee locks and returns the mentor a new mentee goes to.
func (s *Service) lockAssignee(ctx context.Context, tx *store.Tx, mentorID string) (*store.Mentor, error) {
	if mentorID == "" {
		return s.lockBestMentor(ctx, tx)
	}
	if len(mentorID) > 100 {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
	}
	m, err := tx.LockMentor(ctx, mentorID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
	}
	return m, err
}

// lockBestMentor picks and locks the mentor with the most free places
// (ties: fewest upcoming sessions, then the oldest latest assignment).
//
// Concurrent assignments must never overfill a mentor. On PostgreSQL the
// candidates' rows are locked in id order (no deadlock between two
// assigners) and then ranked again: every other change to those caseloads
// needs one of these locks, so the second ranking is exact. SQLite's
// IMMEDIATE transactions already serialise writers, so one ranking is
// exact there. AddMenteeTx re-checks the chosen mentor's count under its
// lock in any case.
func (s *Service) lockBestMentor(ctx context.Context, tx *store.Tx) (*store.Mentor, error) {
	now := s.now()
	ranked, err := tx.AssignmentCandidates(ctx, now, nil)
	if err != nil {
		return nil, err
	}
	if s.store.Dialect() == store.Postgres && len(ranked) > 0 {
		if err := tx.LockMentors(ctx, ranked); err != nil {
			return nil, err
		}
		if ranked, err = tx.AssignmentCandidates(ctx, now, ranked); err != nil {
			return nil, err
		}
	}
	if len(ranked) == 0 {
		return nil, apperr.Errorf(apperr.CaseloadFull, "every mentor's caseload is full")
	}
	return tx.LockMentor(ctx, ranked[0])
}
