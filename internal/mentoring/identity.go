package mentoring

import (
	"context"
	"slices"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// The people rules: one person (an e-mail address, compared without case)
// is an active mentee of at most mentorsPerMentee mentors at a time, and
// never twice of one mentor; only an active mentor takes new mentees.

// WithMentorsPerMentee sets how many mentors one person may have at once
// (RENDEZVOUS_MENTORS_PER_MENTEE; 1 by default, as at OpenClassrooms;
// co-mentored programmes such as GSoC set 2 or more).
func WithMentorsPerMentee(n int) Option {
	return func(s *Service) {
		if n > 0 {
			s.mentorsPerMentee = n
		}
	}
}

// takesMentees refuses a mentor who is paused or inactive.
func takesMentees(m *store.Mentor) error {
	switch m.Status {
	case store.MentorPaused:
		return apperr.Errorf(apperr.CaseloadFull, "%s is paused and takes no new mentees for now", m.Name)
	case store.MentorInactive:
		return apperr.Errorf(apperr.CaseloadFull, "%s is no longer mentoring", m.Name)
	}
	return nil
}

// checkPersonFree refuses, with already_mentored, a person who already is
// mentor's active mentee or has as many mentors as a person may. It locks
// the person until tx ends, so that two mentors cannot take them at once.
func (s *Service) checkPersonFree(ctx context.Context, tx *store.Tx, emailKey, email string, mentor *store.Mentor) error {
	if err := tx.LockPerson(ctx, emailKey); err != nil {
		return err
	}
	mentors, err := tx.ActiveMentorsOf(ctx, emailKey)
	if err != nil {
		return err
	}
	if slices.Contains(mentors, mentor.ID) {
		return apperr.Errorf(apperr.AlreadyMentored, "%s is already an active mentee of %s", email, mentor.Name)
	}
	if len(mentors) >= s.mentorsPerMentee {
		if s.mentorsPerMentee == 1 {
			return apperr.Errorf(apperr.AlreadyMentored, "%s already has a mentor; end that mentorship or reassign them instead", email)
		}
		return apperr.Errorf(apperr.AlreadyMentored, "%s already has %d mentors, as many as one person may have", email, len(mentors))
	}
	return nil
}

// errSameAddress answers a second mentor with an address already taken.
func errSameAddress(email string) error {
	return apperr.Errorf(apperr.Conflict, "a mentor with the address %s already exists (addresses are compared without case)", email)
}

// applyStatus changes a mentor's status. A mentor may pause and resume
// themselves (a holiday, a busy month: their mentees keep booking); only
// staff make a mentor inactive or bring one back from it.
func (s *Service) applyStatus(by access.Principal, m *store.Mentor, status *string) error {
	if status == nil || *status == m.Status {
		return nil
	}
	switch *status {
	case store.MentorActive, store.MentorPaused, store.MentorInactive:
	default:
		return apperr.Field("status", "%q is not a mentor status (active, paused, inactive)", *status)
	}
	if !by.IsStaff() && (*status == store.MentorInactive || m.Status == store.MentorInactive) {
		return apperr.Errorf(apperr.Forbidden, "only programme staff make a mentor inactive or active again")
	}
	m.Status = *status
	return nil
}
