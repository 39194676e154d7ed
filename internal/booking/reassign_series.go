package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// ReasonNewMentorBusy: a session of a series the new mentor of a
// reassigned mentee cannot take at its time.
const ReasonNewMentorBusy = "new_mentor_unavailable"

// transferSeries hands the future sessions of a weekly series to another
// mentor, by the rules Transfer applies to one session, in one
// transaction. The sessions the new mentor is free for leave the series
// for a new one of that mentor (its own UID and video room, the same rule
// from the first of them on, the others excluded); the others are
// cancelled with notice and stay, cancelled, in the old series. So each
// mentor's calendar and feed holds one coherent series: the former's
// without the future starts (EXDATE), the new one's with the sessions it
// took. The mentee gets the old series' update and the new series'
// invitation, the former mentor the update, the new mentor the
// invitation; webhook receivers a booking.rescheduled or
// booking.cancelled per session. Staff only.
func (s *Service) transferSeries(ctx context.Context, by access.Principal, seriesID, toMentorID string) (moved, cancelled int, err error) {
	if err := by.RequireStaff("moving a series to another mentor"); err != nil {
		return 0, 0, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		moved, cancelled = 0, 0
		old, err := tx.Series(ctx, seriesID)
		if err != nil {
			return err
		}
		if old.MentorID == toMentorID {
			return nil
		}
		from, to, err := s.lockMentorPair(ctx, tx, old.MentorID, toMentorID)
		if err != nil {
			return err
		}
		mentee, err := tx.Mentee(ctx, old.MenteeID)
		if err != nil {
			return err
		}
		sessions, err := tx.SeriesBookings(ctx, seriesID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		var future []*store.Booking
		for i := range sessions {
			b := &sessions[i]
			if b.Status == store.StatusConfirmed && b.StartAt.After(now) && b.RecurrenceAt != nil {
				future = append(future, b)
			}
		}
		if len(future) == 0 {
			return nil
		}
		// The new series repeats the old rule from the first start handed
		// over; count the rule's starts from there.
		rule := calendar.Recurrence{Zone: old.Timezone, First: old.FirstStartAt, Count: old.Count, IntervalWeeks: old.IntervalWeeks}
		starts, err := rule.Starts()
		if err != nil {
			return fmt.Errorf("series %s: %w", old.ID, err)
		}
		first := 0
		for k, at := range starts {
			if at.Equal(future[0].RecurrenceAt.UTC()) {
				first = k
				break
			}
		}
		befores := make([]store.Booking, len(future))
		var take, drop []*store.Booking
		var skipped []Skipped
		for i, b := range future {
			befores[i] = *b
			length := b.EndAt.Sub(b.StartAt)
			onTransferGrid := func(q *calendar.SlotQuery) { q.Session, q.Step = length, transferStep }
			err := s.offered(ctx, tx, to, b.StartAt, "", onTransferGrid)
			switch {
			case err == nil:
				// Counted as booked for the next ones: taken now.
				b.MentorID = to.ID
				if err := tx.UpdateBooking(ctx, b); err != nil {
					if errors.Is(err, store.ErrOverlap) {
						return errSlotTaken(b.StartAt)
					}
					return fmt.Errorf("transfer booking %s: %w", b.ID, err)
				}
				take = append(take, b)
			case apperr.CodeOf(err) == apperr.SlotUnavailable:
				drop = append(drop, b)
				skipped = append(skipped, Skipped{Start: b.RecurrenceAt.UTC(), Reason: ReasonNewMentorBusy})
			default:
				return err
			}
		}
		var series *store.BookingSeries
		if len(take) > 0 {
			provider := s.videoFor(to)
			newID := uuid.Must(uuid.NewV7()).String()
			meeting, err := provider.Create(ctx, video.MeetingRequest{SessionID: newID, Start: take[0].StartAt, End: take[0].EndAt,
				MentorName: to.Name, MenteeName: mentee.Name})
			if err != nil {
				return fmt.Errorf("create video meeting: %w", err)
			}
			if count := old.Count - first; count >= MinSeriesCount {
				skippedJSON, err := json.Marshal(append([]Skipped{}, skipped...))
				if err != nil {
					return fmt.Errorf("encode skipped occurrences: %w", err)
				}
				series = &store.BookingSeries{ID: newID, UID: newID + "@" + s.links.Host(), MentorID: to.ID, MenteeID: mentee.ID,
					FirstStartAt: starts[first], Timezone: old.Timezone, Count: count, IntervalWeeks: old.IntervalWeeks,
					SessionMinutes: old.SessionMinutes, Skipped: string(skippedJSON), CreatedBy: by.Name(), CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertSeries(ctx, series, nil); err != nil {
					return err
				}
			}
			for _, b := range take {
				b.VideoProvider, b.VideoRoom, b.VideoURL = provider.Name(), meeting.Room, meeting.URL
				b.SeriesID, b.Sequence, b.UpdatedAt = "", b.Sequence+1, now
				if series != nil {
					b.SeriesID = series.ID
				} else {
					// The one start left of the rule: a session on its own.
					b.RecurrenceAt = nil
				}
				if err := tx.UpdateBooking(ctx, b); err != nil {
					return fmt.Errorf("transfer booking %s: %w", b.ID, err)
				}
			}
		}
		for _, b := range drop {
			b.Status, b.CancelReason, b.CancelledBy, b.CancelledAt = store.StatusCancelled, ReasonReassigned, by.Name(), &now
			b.Sequence++
			b.UpdatedAt = now
			if err := tx.UpdateBooking(ctx, b); err != nil {
				return fmt.Errorf("cancel booking %s: %w", b.ID, err)
			}
		}
		moved, cancelled = len(take), len(drop)
		return s.afterSeriesTransfer(ctx, tx, seriesTransfer{old: old, series: series, from: from, to: to, mentee: mentee,
			take: take, drop: drop, before: befores[0]})
	})
	if err == nil {
		s.slotsChanged(toMentorID)
	}
	return moved, cancelled, err
}

// seriesTransfer is a series split by a reassignment, for its follow-ups.
type seriesTransfer struct {
	old, series *store.BookingSeries // series: nil when one session or none went
	from, to    *store.Mentor
	mentee      *store.Mentee
	take, drop  []*store.Booking
	before      store.Booking // the first session handed over, as it was
}

// afterSeriesTransfer enqueues the follow-ups of transferSeries, in its
// transaction.
func (s *Service) afterSeriesTransfer(ctx context.Context, tx *store.Tx, t seriesTransfer) error {
	old, err := tx.BumpSeries(ctx, t.old.ID, s.now())
	if err != nil {
		return err
	}
	oldSessions, err := tx.SeriesBookings(ctx, old.ID)
	if err != nil {
		return err
	}
	oldSeries := &outbox.Series{Row: old, Sessions: oldSessions}
	// The old series as it now stands, to the mentee and the former
	// mentor: an update without the starts handed over (or its
	// cancellation when none is left), said to come from the
	// reassignment.
	notice := t.before
	notice.CancelledBy = outbox.CancelledByReassignment
	mails, err := s.outbox.Mails(outbox.Notice{Booking: &notice, Mentor: t.from, Mentee: t.mentee, Event: EventCancelled,
		Reason: ReasonReassigned, Series: oldSeries})
	if err != nil {
		return err
	}
	batch := append(mails, river.InsertManyParams{Args: jobs.WritebackArgs{SeriesID: old.ID, BookingID: t.before.ID}})
	var newSeries *outbox.Series
	if t.series != nil {
		sessions, err := tx.SeriesBookings(ctx, t.series.ID)
		if err != nil {
			return err
		}
		newSeries = &outbox.Series{Row: t.series, Sessions: sessions}
	}
	has, err := s.calendars.HasWriteTarget(ctx, tx, t.to.ID)
	if err != nil {
		return err
	}
	for i, b := range t.take {
		before := *b
		before.MentorID = t.from.ID
		// The first session's change carries the new series' invitation
		// and write-back; each announces its webhook and reminders.
		jobs, err := s.followUps(ctx, tx, change{booking: b, mentor: t.to, mentee: t.mentee, event: EventTransferred,
			series: newSeries, before: &before, quiet: i > 0, bare: i > 0}, has)
		if err != nil {
			return err
		}
		batch = append(batch, jobs...)
	}
	for _, b := range t.drop {
		jobs, err := s.followUps(ctx, tx, change{booking: b, mentor: t.from, mentee: t.mentee, event: EventCancelled,
			reason: ReasonReassigned, series: oldSeries, quiet: true, bare: true}, false)
		if err != nil {
			return err
		}
		batch = append(batch, jobs...)
	}
	if err := s.jobs.InsertManyTx(ctx, tx, batch); err != nil {
		return fmt.Errorf("enqueue follow-ups of series %s moved to mentor %s: %w", old.ID, t.to.ID, err)
	}
	return nil
}
