package booking

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/providers/video"
)

// BookInput is a mentee's request for a slot.
type BookInput struct {
	Start    time.Time
	Name     string // required on a public link
	Email    string // required on a public link
	Timezone string
	Language string
	Note     string
}

// Idempotency makes a booking request safe to repeat: the key is stored
// with the booking it created, in the same transaction, and a repeat of
// the same request answers that booking again.
type Idempotency struct {
	Key string
	// RequestHash identifies the request's content: the key with another
	// request is refused.
	RequestHash string
}

// Book reserves a slot for the link's mentee. Either it commits the
// session with its invites, write-back and reminders, or nothing. With
// idem, a repeated request returns the booking it made first, and
// replayed is true.
func (s *Service) Book(ctx context.Context, token string, in BookInput, idem *Idempotency) (*Booking, bool, error) {
	if err := checkBookInput(in); err != nil {
		return nil, false, err
	}
	scope := secret.HashToken(token)
	if idem != nil {
		if first, err := s.replay(ctx, scope, idem); first != nil || err != nil {
			return first, first != nil, err
		}
	}
	bookingID := uuid.Must(uuid.NewV7()).String()

	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		link, err := resolveLink(ctx, tx.Q, token, true)
		if err != nil {
			return err
		}
		mentor := link.mentor
		// Every provider makes its room locally (BigBlueButton creates the
		// meeting on first join), so this holds no network call in the lock.
		provider := s.videoFor(mentor)
		meeting, err := provider.Create(ctx, video.MeetingRequest{SessionID: bookingID, Start: in.Start,
			End: in.Start.Add(time.Duration(mentor.SessionMinutes) * time.Minute), MentorName: mentor.Name, MenteeName: in.Name})
		if err != nil {
			return fmt.Errorf("create video meeting: %w", err)
		}
		mentee, err := s.menteeFor(ctx, tx, link, mentor, in)
		if err != nil {
			return err
		}
		// The upcoming count and the sessions the slot check needs, in
		// one read under the lock.
		lo, hi := sessionsWindow(in.Start, in.Start.Add(time.Minute))
		sessions, upcoming, err := tx.MentorSessionsAndUpcoming(ctx, mentor.ID, mentee.ID, lo, hi, s.now())
		if err != nil {
			return err
		}
		if err := upcomingLimit(mentor, upcoming); err != nil {
			return err
		}
		noCalendars := s.heldNoCalendars(scope, mentor.ID)
		k := known{noCalendars: noCalendars, sessions: sessions, haveSessions: true}
		if err := s.offeredOf(ctx, tx, mentor, in.Start, "", nil, k); err != nil {
			return err
		}
		manage := secret.NewToken()
		now := s.now().UTC()
		b := &store.Booking{
			ID: bookingID, UID: bookingID + "@" + s.links.Host(), MentorID: mentor.ID, MenteeID: mentee.ID,
			StartAt: in.Start, EndAt: in.Start.Add(time.Duration(mentor.SessionMinutes) * time.Minute),
			Status: store.StatusConfirmed, Note: strings.TrimSpace(in.Note),
			VideoProvider: provider.Name(), VideoRoom: meeting.Room, VideoURL: meeting.URL,
			ManageTokenHash: secret.HashToken(manage), ManageTokenSealed: s.box.SealString(manage),
			CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.InsertBooking(ctx, b); err != nil {
			if errors.Is(err, store.ErrOverlap) {
				return errSlotTaken(in.Start)
			}
			return err
		}
		if out, err = s.view(b, true); err != nil {
			return err
		}
		if idem != nil {
			if err := tx.SaveIdempotencyKey(ctx, &store.IdempotencyKey{Scope: scope, Key: idem.Key,
				RequestHash: idem.RequestHash, BookingID: b.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		return s.afterChange(ctx, tx, change{booking: b, mentor: mentor, mentee: mentee, event: EventConfirmed, noCalendars: noCalendars})
	})
	if err != nil {
		if idem != nil {
			// A concurrent request with the same key may have won (our
			// key insert or our slot lost to it): answer as it did.
			first, rerr := s.replay(ctx, scope, idem)
			if first != nil || rerr != nil {
				return first, first != nil, rerr
			}
		}
		return nil, false, err
	}
	s.slotsChanged(out.MentorID)
	return out, false, nil
}

func errSlotTaken(start time.Time) error {
	return apperr.Errorf(apperr.SlotUnavailable, "the slot at %s was just taken; please choose another", start.UTC().Format(time.RFC3339)).With("slot.taken")
}

func checkBookInput(in BookInput) error {
	if in.Start.IsZero() {
		return apperr.Field("start", "is required")
	}
	if err := validate.Text("name", in.Name, validate.MaxName, false); err != nil {
		return err
	}
	if err := validate.Text("email", in.Email, validate.MaxName, false); err != nil {
		return err
	}
	if err := validate.Text("note", in.Note, validate.MaxNote, false); err != nil {
		return err
	}
	if in.Timezone != "" {
		if _, err := validate.Timezone("timezone", in.Timezone); err != nil {
			return err
		}
	}
	return nil
}

// menteeFor is the link's mentee, or on a public link the booker, who
// becomes a mentee when the caseload has a place.
func (s *Service) menteeFor(ctx context.Context, tx *store.Tx, link *resolved, mentor *store.Mentor, in BookInput) (*store.Mentee, error) {
	if link.mentee != nil {
		return link.mentee, nil
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, apperr.Field("name", "is required to book on a public link")
	}
	email, err := validate.Email("email", in.Email)
	if err != nil {
		return nil, err
	}
	existing, err := tx.ActiveMenteeByEmail(ctx, mentor.ID, validate.EmailKey(email))
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	tz := in.Timezone
	if tz == "" {
		tz = mentor.Timezone
	}
	m, _, err := s.mentorships.AddMenteeTx(ctx, tx, mentor, mentoring.MenteeInput{Name: in.Name, Email: email, Timezone: tz, Language: in.Language})
	return m, err
}

func (s *Service) checkUpcomingLimit(ctx context.Context, tx *store.Tx, mentor *store.Mentor, mentee *store.Mentee) error {
	// A series counts as one, as does each single session (see
	// CountUpcomingCommitments).
	n, err := tx.CountUpcomingCommitments(ctx, mentor.ID, mentee.ID, s.now())
	if err != nil {
		return err
	}
	return upcomingLimit(mentor, n)
}

// upcomingLimit refuses a booking when the mentee already holds n
// upcoming commitments with the mentor, the most allowed.
func upcomingLimit(mentor *store.Mentor, n int) error {
	if n >= mentor.MaxUpcomingPerMentee {
		return apperr.Errorf(apperr.Conflict, "you already have %d upcoming session(s) with %s; reschedule or cancel it instead", n, mentor.Name).
			With("booking.upcoming_limit", strconv.Itoa(n), mentor.Name)
	}
	return nil
}

func (s *Service) videoFor(m *store.Mentor) video.Provider {
	if p, ok := s.Videos[m.VideoProvider]; ok && m.VideoProvider != "" {
		return p
	}
	return s.Video
}

// replay is the booking an earlier request with this key made, or nil.
func (s *Service) replay(ctx context.Context, scope string, idem *Idempotency) (*Booking, error) {
	k, err := s.store.IdempotencyKey(ctx, scope, idem.Key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !secret.Equal(k.RequestHash, idem.RequestHash) {
		return nil, apperr.Field("Idempotency-Key", "was already used with a different request body")
	}
	b, err := s.store.Booking(ctx, k.BookingID)
	if err != nil {
		return nil, fmt.Errorf("booking %s of idempotency key: %w", k.BookingID, err)
	}
	return s.view(b, true)
}
