package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// transferStep is the slot grid a transferred session is checked on: every
// zone's offset is a multiple of 15 minutes, so a session that starts on
// one mentor's grid is on this grid for any other mentor.
const transferStep = 15 * time.Minute

// Transfer hands a future session over to another mentor at the same time
// and length, when that mentor offers that time (their hours, notice,
// horizon, buffers, daily cap, calendar and other sessions); otherwise
// apperr.SlotUnavailable and nothing changes. The session keeps its id, UID
// and manage link, raises SEQUENCE and gets a video room from the new
// mentor's provider. The former mentor gets a cancellation, the new mentor
// an invitation and the mentee an update; the calendar event moves from
// the former mentor's calendar to the new one's. Staff only.
func (s *Service) Transfer(ctx context.Context, by access.Principal, id, toMentorID string) (*Booking, error) {
	if err := by.RequireStaff("moving a session to another mentor"); err != nil {
		return nil, err
	}
	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LockBooking(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return errNoBooking
		}
		if err != nil {
			return err
		}
		if b.MentorID == toMentorID {
			out, err = s.view(b, false)
			return err
		}
		if b.Status != store.StatusConfirmed {
			return apperr.Errorf(apperr.Conflict, "this session was cancelled")
		}
		if !b.StartAt.After(s.now()) {
			return apperr.Errorf(apperr.Conflict, "this session has started and stays with its mentor")
		}
		from, to, err := s.lockMentorPair(ctx, tx, b.MentorID, toMentorID)
		if err != nil {
			return err
		}
		mentee, err := tx.Mentee(ctx, b.MenteeID)
		if err != nil {
			return err
		}
		length := b.EndAt.Sub(b.StartAt)
		onTransferGrid := func(q *calendar.SlotQuery) { q.Session, q.Step = length, transferStep }
		if err := s.offered(ctx, tx, to, b.StartAt, "", onTransferGrid); err != nil {
			return err
		}
		notice, err := s.outbox.FormerMentorMail(b, from, mentee)
		if err != nil {
			return err
		}
		provider := s.videoFor(to)
		meeting, err := provider.Create(ctx, video.MeetingRequest{SessionID: b.ID, Start: b.StartAt, End: b.EndAt,
			MentorName: to.Name, MenteeName: mentee.Name})
		if err != nil {
			return fmt.Errorf("create video meeting: %w", err)
		}
		before := *b
		b.MentorID, b.VideoProvider, b.VideoRoom, b.VideoURL = to.ID, provider.Name(), meeting.Room, meeting.URL
		b.Sequence++
		b.UpdatedAt = s.now().UTC()
		if err := tx.UpdateBooking(ctx, b); err != nil {
			if errors.Is(err, store.ErrOverlap) {
				return errSlotTaken(b.StartAt)
			}
			return fmt.Errorf("transfer booking %s: %w", b.ID, err)
		}
		if out, err = s.view(b, false); err != nil {
			return err
		}
		return s.afterChange(ctx, tx, change{booking: b, mentor: to, mentee: mentee, event: EventTransferred,
			also: []river.InsertManyParams{notice}, before: &before})
	})
	return out, err
}

// lockMentorPair locks two mentors in id order, so that two transfers in
// opposite directions cannot deadlock, and returns them as (from, to).
func (s *Service) lockMentorPair(ctx context.Context, tx *store.Tx, fromID, toID string) (from, to *store.Mentor, err error) {
	first, second := fromID, toID
	if second < first {
		first, second = second, first
	}
	locked := map[string]*store.Mentor{}
	for _, id := range []string{first, second} {
		m, err := tx.LockMentor(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, apperr.Errorf(apperr.NotFound, "no mentor %s", id)
		}
		if err != nil {
			return nil, nil, err
		}
		locked[id] = m
	}
	return locked[fromID], locked[toID], nil
}
