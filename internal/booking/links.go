package booking

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Link is what a booking link shows: its mentor, and the mentee when the
// link is a mentee's own.
type Link struct {
	MentorName     string
	MentorTimezone string
	SessionMinutes int
	// HorizonDays is how far ahead the mentor takes bookings.
	HorizonDays int
	Mentee      *LinkMentee // nil on a mentor's public link
	// Full: a public link whose mentor has no place for a new mentee;
	// only their current mentees can still book there.
	Full bool
}

// LinkMentee is the mentee a link belongs to, to fill the booking form.
type LinkMentee struct {
	Name, Email, Timezone string
}

// resolved is a link's rows: a mentor, and the mentee when the link is a
// mentee's own.
type resolved struct {
	mentor *store.Mentor
	mentee *store.Mentee // nil on a mentor's public link
}

// errNoLink is the answer for any unknown, ended or disabled link: the
// same 404 whatever the reason, so links cannot be probed.
var errNoLink = apperr.Errorf(apperr.NotFound, "this booking link does not exist or is no longer active")

// ResolveLink finds the mentor (and mentee) behind a link token.
func (s *Service) ResolveLink(ctx context.Context, token string) (*Link, error) {
	r, err := resolveLink(ctx, s.store.Q, token, false)
	if err != nil {
		return nil, err
	}
	l := &Link{MentorName: r.mentor.Name, MentorTimezone: r.mentor.Timezone,
		SessionMinutes: r.mentor.SessionMinutes, HorizonDays: r.mentor.HorizonDays}
	if r.mentee != nil {
		l.Mentee = &LinkMentee{Name: r.mentee.Name, Email: r.mentee.Email, Timezone: r.mentee.Timezone}
		return l, nil
	}
	active, err := s.store.CountActiveMentees(ctx, r.mentor.ID)
	if err != nil {
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	// A paused or inactive mentor takes no new mentees either.
	l.Full = active >= r.mentor.MaxMentees || r.mentor.Status != store.MentorActive
	return l, nil
}

// resolveLink finds a link's mentor and mentee; with lock, inside a
// transaction, it also takes the mentor's row lock, in the read that
// finds the mentor.
func resolveLink(ctx context.Context, q store.Q, token string, lock bool) (*resolved, error) {
	if !secret.Plausible(token) {
		return nil, errNoLink
	}
	h := secret.HashToken(token)
	if lock {
		if r, err := lockLinkMentor(ctx, q, h); r != nil || err != nil {
			return r, err
		}
		// Not a mentee's link: a mentor's public one, or none.
		return resolvePublic(ctx, q.LockMentorByPublicTokenHash, h)
	}
	mentee, err := q.MenteeByLinkHash(ctx, h)
	switch {
	case err == nil:
		if mentee.Status != "active" || mentee.MentorID == nil {
			return nil, errNoLink
		}
		mentor, err := q.Mentor(ctx, *mentee.MentorID)
		if err != nil {
			return nil, fmt.Errorf("resolve link: %w", err)
		}
		return &resolved{mentor: mentor, mentee: mentee}, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	return resolvePublic(ctx, q.MentorByPublicTokenHash, h)
}

// lockLinkMentor locks the mentor of the mentee whose link hashes to h and
// reads the mentee under that lock; nil, nil when h is no mentee's link.
// Ending or moving a mentee takes the same mentor lock, so a mentorship
// ended or moved while the lock was awaited shows here and cannot book.
func lockLinkMentor(ctx context.Context, q store.Q, h string) (*resolved, error) {
	mentor, err := q.LockMentorOfLink(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	mentee, err := q.MenteeByLinkHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoLink
	}
	if err != nil {
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	if mentee.Status != "active" || mentee.MentorID == nil || *mentee.MentorID != mentor.ID {
		return nil, errNoLink
	}
	return &resolved{mentor: mentor, mentee: mentee}, nil
}

// resolvePublic finds the mentor whose public link hashes to h.
func resolvePublic(ctx context.Context, read func(context.Context, string) (*store.Mentor, error), h string) (*resolved, error) {
	mentor, err := read(ctx, h)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !mentor.PublicBooking) {
		return nil, errNoLink
	}
	if err != nil {
		return nil, fmt.Errorf("resolve link: %w", err)
	}
	return &resolved{mentor: mentor}, nil
}
