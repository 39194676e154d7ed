package booking

import (
	"context"
	"errors"

	"github.com/rendezvous/rendezvous/internal/store"
)

// MentorSession is one session as its mentor's page shows it.
type MentorSession struct {
	Booking
	MenteeName, MenteeEmail string
	// JoinURL is the mentor's own way into the video call (the moderator
	// link for BigBlueButton).
	JoinURL string
}

// SessionForMentor reads a session of mentorID; another mentor's session
// is not found.
func (s *Service) SessionForMentor(ctx context.Context, mentorID, id string) (*MentorSession, error) {
	b, err := s.mentorBooking(ctx, mentorID, id)
	if err != nil {
		return nil, err
	}
	mentee, err := s.store.Mentee(ctx, b.MenteeID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(b)
	if err != nil {
		return nil, err
	}
	return &MentorSession{Booking: *v, MenteeName: mentee.Name, MenteeEmail: mentee.Email, JoinURL: s.videoURLFor(b, true)}, nil
}

// mentorBooking reads a booking of mentorID; another mentor's is not found.
func (s *Service) mentorBooking(ctx context.Context, mentorID, id string) (*store.Booking, error) {
	b, err := s.store.Booking(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && b.MentorID != mentorID) {
		return nil, errNoBooking
	}
	return b, err
}

// mentorSessionPath is a session's page in the mentor area: the manage
// link of the mentor's feed, which needs the mentor signed in.
func mentorSessionPath(id string) string { return "/mentor/sessions/" + id }
