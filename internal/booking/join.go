package booking

import (
	"context"
	"errors"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Joiner creates a meeting on first join and returns where to send the
// participant (BigBlueButton).
type Joiner interface {
	Join(ctx context.Context, meetingID, fullName string, moderator bool) (string, error)
}

// Join admits a participant to a session's BigBlueButton room, creating
// the meeting if needed; key is the mentor's MAC (see outbox.VideoURL),
// empty for the mentee.
func (s *Service) Join(ctx context.Context, room, key string) (string, error) {
	joiner, ok := s.Videos[video.KindBBB].(Joiner)
	if !ok {
		return "", apperr.Errorf(apperr.NotFound, "no such meeting")
	}
	b, err := s.store.BookingByRoom(ctx, room)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (b.Status != store.StatusConfirmed || b.VideoProvider != video.KindBBB)) {
		return "", apperr.Errorf(apperr.NotFound, "no such meeting, or the session was cancelled")
	}
	if err != nil {
		return "", err
	}
	moderator := s.outbox.IsModerator(room, key)
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
