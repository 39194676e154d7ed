package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// Events that notify both parties.
const (
	EventConfirmed   = "confirmed"
	EventRescheduled = "rescheduled"
	EventCancelled   = "cancelled"
	EventReminder    = "reminder"
	// EventTransferred: same time, another mentor (see Transfer).
	EventTransferred = "transferred"
)

// change is a committed-to-be change of a booking.
type change struct {
	booking *store.Booking
	mentor  *store.Mentor
	mentee  *store.Mentee
	event   string
	reason  string
	// also are further jobs of the change (a transfer's notice to the
	// former mentor).
	also []river.InsertManyParams
}

// afterChange enqueues, in the change's transaction and in one round
// trip, the mails to both parties, the calendar write-back and the
// reminders: they exist if and only if the change commits.
func (s *Service) afterChange(ctx context.Context, tx *store.Tx, c change) error {
	sess, err := s.session(c.booking, c.mentor, c.mentee)
	if err != nil {
		return err
	}
	var batch []river.InsertManyParams
	writeback := false
	if s.Writeback != nil {
		has, err := s.Writeback(ctx, tx, c.mentor.ID)
		if err != nil {
			return err
		}
		if writeback = has || c.booking.WritebackRef != ""; writeback {
			batch = append(batch, river.InsertManyParams{Args: jobs.WritebackArgs{BookingID: c.booking.ID}})
		}
	}
	// A Google Meet link only exists once the write-back created the event:
	// the invitation then goes out from MeetLinkReady, with the link.
	awaitingMeet := (c.event == EventConfirmed || c.event == EventTransferred) && writeback &&
		c.booking.VideoProvider == video.KindGoogleMeet && c.booking.VideoURL == ""
	if awaitingMeet {
		if err := tx.HoldBookingMail(ctx, c.booking.ID, c.event); err != nil {
			return err
		}
	} else {
		batch = append(batch, s.mailJobs(c, sess, 0)...)
	}
	batch = append(batch, c.also...)
	if c.booking.Status == store.StatusConfirmed {
		for _, lead := range s.Reminders {
			at := c.booking.StartAt.Add(-lead)
			if !at.After(s.now()) {
				continue
			}
			batch = append(batch, river.InsertManyParams{
				Args:       jobs.ReminderArgs{BookingID: c.booking.ID, Lead: lead, StartAt: c.booking.StartAt.UTC()},
				InsertOpts: &river.InsertOpts{ScheduledAt: at},
			})
		}
	}
	if err := s.jobs.InsertManyTx(ctx, tx, batch); err != nil {
		return fmt.Errorf("enqueue follow-ups of %s booking %s: %w", c.event, c.booking.ID, err)
	}
	return nil
}

// mailJobs are the mails of an event to the mentee and the mentor, each in
// their own language and zone, with their own video link.
func (s *Service) mailJobs(c change, sess calendar.Session, lead time.Duration) []river.InsertManyParams {
	out := make([]river.InsertManyParams, 0, 2)
	for _, toMentor := range []bool{false, true} {
		lang, zone := c.mentee.Language, c.mentee.Timezone
		if toMentor {
			lang, zone = c.mentor.Language, c.mentor.Timezone
		}
		sess.VideoURL = s.videoURLFor(c.booking, toMentor)
		out = append(out, river.InsertManyParams{Args: jobs.MailArgs{BookingID: c.booking.ID, Event: c.event, Session: sess,
			ToMentor: toMentor, Language: lang, Timezone: zone, Reason: c.reason, Lead: lead}})
	}
	return out
}

// MeetLinkReady sends the mails held for a Google Meet session's link
// (its confirmation, or its transfer to a new mentor) once the write-back
// stored the link; it runs in that write-back's transaction.
func (s *Service) MeetLinkReady(ctx context.Context, tx *store.Tx, bookingID string) error {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	if b.MailHeld == "" || b.Status != store.StatusConfirmed {
		return nil // none held, or cancelled since: that change mailed already
	}
	c, sess, err := s.loadChange(ctx, tx.Q, b, b.MailHeld)
	if err != nil {
		return err
	}
	if err := tx.HoldBookingMail(ctx, b.ID, ""); err != nil {
		return err
	}
	return s.jobs.InsertManyTx(ctx, tx, s.mailJobs(c, sess, 0))
}

// loadChange reads a booking's mentor and mentee and builds the change
// and calendar form that mails, invites and .ics files are made from.
func (s *Service) loadChange(ctx context.Context, q store.Q, b *store.Booking, event string) (change, calendar.Session, error) {
	mentor, err := q.Mentor(ctx, b.MentorID)
	if err != nil {
		return change{}, calendar.Session{}, err
	}
	mentee, err := q.Mentee(ctx, b.MenteeID)
	if err != nil {
		return change{}, calendar.Session{}, err
	}
	sess, err := s.session(b, mentor, mentee)
	if err != nil {
		return change{}, calendar.Session{}, err
	}
	return change{booking: b, mentor: mentor, mentee: mentee, event: event}, sess, nil
}
