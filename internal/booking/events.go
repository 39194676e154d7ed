package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"

	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Events that notify both parties.
const (
	EventConfirmed   = "confirmed"
	EventRescheduled = "rescheduled"
	EventCancelled   = "cancelled"
	EventReminder    = "reminder"
)

// change is a committed-to-be change of a booking.
type change struct {
	booking *store.Booking
	mentor  *store.Mentor
	mentee  *store.Mentee
	event   string
	reason  string
}

// afterChange enqueues, in the change's transaction, the mails to both
// parties, the calendar write-back and the reminders: they exist if and
// only if the change commits.
func (s *Service) afterChange(ctx context.Context, tx *store.Tx, c change) error {
	sess, err := s.session(c.booking, c.mentor, c.mentee)
	if err != nil {
		return err
	}
	if err := s.enqueueMails(ctx, tx, c, sess, 0); err != nil {
		return err
	}
	if s.Writeback != nil {
		has, err := s.Writeback(ctx, tx, c.mentor.ID)
		if err != nil {
			return err
		}
		if has || c.booking.WritebackRef != "" {
			if err := s.jobs.InsertTx(ctx, tx, jobs.WritebackArgs{BookingID: c.booking.ID}, nil); err != nil {
				return fmt.Errorf("enqueue write-back: %w", err)
			}
		}
	}
	if c.booking.Status != store.StatusConfirmed {
		return nil
	}
	for _, lead := range s.Reminders {
		at := c.booking.StartAt.Add(-lead)
		if !at.After(s.now()) {
			continue
		}
		args := jobs.ReminderArgs{BookingID: c.booking.ID, Lead: lead, StartAt: c.booking.StartAt.UTC()}
		if err := s.jobs.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: at}); err != nil {
			return fmt.Errorf("enqueue reminder: %w", err)
		}
	}
	return nil
}

// enqueueMails queues the mail of an event to the mentee and the mentor,
// each in their own language and zone.
func (s *Service) enqueueMails(ctx context.Context, tx *store.Tx, c change, sess calendar.Session, lead time.Duration) error {
	for _, toMentor := range []bool{false, true} {
		lang, zone := c.mentee.Language, c.mentee.Timezone
		if toMentor {
			lang, zone = c.mentor.Language, c.mentor.Timezone
		}
		sess.VideoURL = s.videoURLFor(c.booking, toMentor)
		args := jobs.MailArgs{BookingID: c.booking.ID, Event: c.event, Session: sess, ToMentor: toMentor,
			Language: lang, Timezone: zone, Reason: c.reason, Lead: lead}
		if err := s.jobs.InsertTx(ctx, tx, args, nil); err != nil {
			return fmt.Errorf("enqueue %s mail: %w", c.event, err)
		}
	}
	return nil
}
