package booking

import (
	"context"
	"errors"
	"time"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Joiner creates a meeting on first join and returns where to send the
// participant (BigBlueButton).
type Joiner interface {
	Join(ctx context.Context, meetingID, fullName string, moderator bool) (string, error)
}

// joinEarly is how long before the start a join counts as attendance: a
// party testing the link days ahead has not attended.
const joinEarly = 15 * time.Minute

// Join admits a participant to a session's video room and returns where
// to send them: the provider's link, or BigBlueButton's join URL (the
// meeting is created on first join). key is the party's key from their
// link (see outbox.VideoURL); the first join of the mentor and of the
// mentee during the session (from 15 minutes before its start) is
// recorded as attendance, once, whatever the number of processes. A link
// without a valid key still opens the room but records nothing.
func (s *Service) Join(ctx context.Context, room, key string) (string, error) {
	b, err := s.store.BookingByRoom(ctx, room)
	if errors.Is(err, store.ErrNotFound) || (err == nil && b.Status != store.StatusConfirmed) {
		return "", apperr.Errorf(apperr.NotFound, "no such meeting, or the session was cancelled")
	}
	if err != nil {
		return "", err
	}
	party := s.outbox.JoinParty(room, key)
	now := s.now().UTC()
	if party != "" && !now.Before(b.StartAt.Add(-joinEarly)) && now.Before(b.EndAt) {
		if _, err := s.store.RecordJoin(ctx, b.ID, party == outbox.PartyMentor, now); err != nil {
			return "", err
		}
	}
	if b.VideoProvider != video.KindBBB {
		if b.VideoURL == "" {
			return "", apperr.Errorf(apperr.NotFound, "this session's video link is not ready yet; try again in a moment")
		}
		return b.VideoURL, nil
	}
	joiner, ok := s.Videos[video.KindBBB].(Joiner)
	if !ok {
		return "", apperr.Errorf(apperr.NotFound, "no such meeting")
	}
	moderator := party == outbox.PartyMentor
	var name string
	if moderator {
		m, err := s.store.Mentor(ctx, b.MentorID)
		if err != nil {
			return "", err
		}
		name = m.Name
	} else {
		m, err := s.store.Mentee(ctx, b.MenteeID)
		if err != nil {
			return "", err
		}
		name = m.Name
	}
	target, err := joiner.Join(ctx, room, name, moderator)
	if err != nil {
		return "", apperr.Wrap(apperr.VideoUnavailable, err, "the video server could not open the meeting; try again in a moment")
	}
	return target, nil
}
