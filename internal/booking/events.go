package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/webhooks"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Events that notify both parties.
const (
	EventConfirmed   = outbox.EventConfirmed
	EventRescheduled = outbox.EventRescheduled
	EventCancelled   = outbox.EventCancelled
	EventReminder    = outbox.EventReminder
	// EventTransferred: same time, another mentor (see Transfer).
	EventTransferred = outbox.EventTransferred
)

// change is a committed-to-be change of a booking.
type change struct {
	booking *store.Booking
	mentor  *store.Mentor
	mentee  *store.Mentee
	event   string
	reason  string
	// previous is the session's start before the change (a reschedule's
	// mails show it).
	previous time.Time
	// also are further jobs of the change (a transfer's notice to the
	// former mentor).
	also []river.InsertManyParams
	// before is the session before a reschedule or transfer.
	before *store.Booking
	// series is the booking's weekly series (read by afterChange): its
	// invitations are the whole series'.
	series *outbox.Series
	// quiet leaves out the mails, bare the write-back: a series being
	// booked sends one invitation and writes one event for all of its
	// sessions.
	quiet, bare bool
	// noCalendars: the mentor is known to have no calendar connection
	// (heldNoCalendars), hence no write-target calendar to look for.
	noCalendars bool
}

// webhookType is the webhook event of a change that notifies; a transfer
// to another mentor is a reschedule whose previous names the mentor.
func webhookType(event string) (string, bool) {
	switch event {
	case EventConfirmed:
		return webhooks.BookingCreated, true
	case EventRescheduled, EventTransferred:
		return webhooks.BookingRescheduled, true
	case EventCancelled:
		return webhooks.BookingCancelled, true
	}
	return "", false
}

// emit records webhook events in the change's transaction.
func (s *Service) emit(ctx context.Context, tx *store.Tx, events ...webhooks.Event) error {
	if s.webhooks == nil {
		return nil
	}
	return s.webhooks.EmitTx(ctx, tx, events...)
}

// afterChange enqueues, in the change's transaction and in one round
// trip, the mails to both parties, the calendar write-back and the webhook
// event, and marks the reminders the session is too late for: they exist
// if and only if the change commits.
func (s *Service) afterChange(ctx context.Context, tx *store.Tx, c change) error {
	if c.booking.SeriesID != "" && c.series == nil {
		// A session of a series changed: the series' SEQUENCE rises, and
		// its calendar form is the whole series as it now stands.
		row, err := tx.BumpSeries(ctx, c.booking.SeriesID, s.now())
		if err != nil {
			return err
		}
		sessions, err := tx.SeriesBookings(ctx, row.ID)
		if err != nil {
			return err
		}
		c.series = &outbox.Series{Row: row, Sessions: sessions}
	}
	has := false
	if !c.noCalendars {
		var err error
		if has, err = s.calendars.HasWriteTarget(ctx, tx, c.mentor.ID); err != nil {
			return err
		}
	}
	batch, err := s.followUps(ctx, tx, c, has)
	if err != nil {
		return err
	}
	if err := s.jobs.InsertManyTx(ctx, tx, batch); err != nil {
		return fmt.Errorf("enqueue follow-ups of %s booking %s: %w", c.event, c.booking.ID, err)
	}
	return nil
}

// followUps are the jobs of a change, for a mentor who has (hasTarget)
// or has not a write-target calendar.
func (s *Service) followUps(ctx context.Context, tx *store.Tx, c change, hasTarget bool) ([]river.InsertManyParams, error) {
	var batch []river.InsertManyParams
	if typ, ok := webhookType(c.event); ok && s.webhooks != nil {
		before := c.before
		if typ != webhooks.BookingRescheduled {
			before = nil
		}
		// Built only for a subscriber: rendering both parties' local times
		// loads two zones (~65 µs of a booking's CPU without endpoints).
		subscribed, err := s.webhooks.Subscribed(ctx, tx, typ)
		if err != nil {
			return nil, err
		}
		if subscribed {
			// Its delivery job goes into the batch: one insert for all.
			hooks, err := s.webhooks.EventJobs(ctx, tx, webhooks.Booking(typ, c.booking, c.mentor, c.mentee, before))
			if err != nil {
				return nil, err
			}
			batch = append(batch, hooks...)
		}
	}
	writeback := hasTarget || c.booking.WritebackRef != "" || (c.series != nil && c.series.Row.WritebackRef != "")
	if writeback && !c.bare {
		batch = append(batch, river.InsertManyParams{Args: jobs.WritebackArgs{BookingID: c.booking.ID}})
	}
	// A Google Meet link only exists once the write-back created the event:
	// the invitation is then held, and sent with the link by the outbox
	// when the write-back stores it.
	awaitingMeet := (c.event == EventConfirmed || c.event == EventTransferred) && writeback &&
		c.booking.VideoProvider == video.KindGoogleMeet && c.booking.VideoURL == ""
	switch {
	case c.quiet:
	case awaitingMeet:
		if err := tx.HoldBookingMail(ctx, c.booking.ID, c.event); err != nil {
			return nil, err
		}
	default:
		mails, err := s.outbox.Mails(outbox.Notice{Booking: c.booking, Mentor: c.mentor, Mentee: c.mentee, Event: c.event, Reason: c.reason,
			Previous: c.previous, Series: c.series})
		if err != nil {
			return nil, err
		}
		batch = append(batch, mails...)
	}
	batch = append(batch, c.also...)
	// Reminders go out from the sweep (SweepReminders). A session that
	// gets its start now (new, moved, confirmed again) after a lead's point
	// is marked sent for that lead, so the sweep leaves it. A change that
	// keeps the start (a transfer, a new end) marks nothing: the sweep may
	// not have run since the point passed, and its reminder is still due.
	startSetNow := c.event == EventConfirmed ||
		(c.before != nil && (c.before.Status != store.StatusConfirmed || !c.before.StartAt.Equal(c.booking.StartAt)))
	if startSetNow {
		if err := s.markLateReminders(ctx, tx, c.booking); err != nil {
			return nil, err
		}
	}
	return batch, nil
}
