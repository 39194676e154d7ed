package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/notify"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// Notice is a change of a session to announce to both parties.
type Notice struct {
	Booking *store.Booking
	Mentor  *store.Mentor
	Mentee  *store.Mentee
	Event   string
	Reason  string
	// Lead is how long before the session a reminder goes out.
	Lead time.Duration
}

// Mails are the mail jobs of a notice to the mentee and the mentor, each
// in their own language and zone, with their own video link. Enqueue them
// in the change's transaction: they exist if and only if it commits.
func (o *Outbox) Mails(n Notice) ([]river.InsertManyParams, error) {
	sess, err := o.Session(n.Booking, n.Mentor, n.Mentee)
	if err != nil {
		return nil, err
	}
	out := make([]river.InsertManyParams, 0, 2)
	for _, toMentor := range []bool{false, true} {
		lang, zone := n.Mentee.Language, n.Mentee.Timezone
		if toMentor {
			lang, zone = n.Mentor.Language, n.Mentor.Timezone
		}
		sess.VideoURL = o.VideoURL(n.Booking, toMentor)
		out = append(out, river.InsertManyParams{Args: jobs.MailArgs{BookingID: n.Booking.ID, Event: n.Event, Session: sess,
			ToMentor: toMentor, Language: lang, Timezone: zone, Reason: n.Reason, Lead: n.Lead}})
	}
	return out, nil
}

// FormerMentorMail is the cancellation a mentor receives when a session
// was handed to another mentor: the session as they knew it, at the
// transfer's SEQUENCE, without its video link.
func (o *Outbox) FormerMentorMail(b *store.Booking, former *store.Mentor, mentee *store.Mentee) (river.InsertManyParams, error) {
	was := *b
	was.Sequence++
	sess, err := o.Session(&was, former, mentee)
	if err != nil {
		return river.InsertManyParams{}, err
	}
	sess.VideoURL = ""
	return river.InsertManyParams{Args: jobs.MailArgs{BookingID: b.ID, Event: EventCancelled, Session: sess,
		ToMentor: true, Language: former.Language, Timezone: former.Timezone, Reason: ReasonTransferred}}, nil
}

// ReleaseHeld sends the mails a session held for its Google Meet link
// (its confirmation, or its transfer to a new mentor), once the link is
// stored; run it in the transaction that stores the link.
func (o *Outbox) ReleaseHeld(ctx context.Context, tx *store.Tx, bookingID string) error {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	if b.MailHeld == "" || b.Status != store.StatusConfirmed {
		return nil // none held, or cancelled since: that change mailed already
	}
	mentor, mentee, err := Parties(ctx, tx.Q, b)
	if err != nil {
		return err
	}
	mails, err := o.Mails(Notice{Booking: b, Mentor: mentor, Mentee: mentee, Event: b.MailHeld})
	if err != nil {
		return err
	}
	if err := tx.HoldBookingMail(ctx, b.ID, ""); err != nil {
		return err
	}
	return o.jobs.InsertManyTx(ctx, tx, mails)
}

// RegisterWorkers adds the mail worker to the job engine.
func (o *Outbox) RegisterWorkers(w *river.Workers, sender mail.Sender, from calendar.Person) {
	river.AddWorker(w, &mailWorker{sender: sender, from: from, logger: o.logger})
}

// mailWorker renders and sends one notification. Temporary failures (4xx,
// timeouts, a server that is down) return an error so River retries with
// backoff; a permanent refusal (5xx) cancels the job with a logged error.
type mailWorker struct {
	river.WorkerDefaults[jobs.MailArgs]
	sender mail.Sender
	from   calendar.Person
	logger *slog.Logger
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[jobs.MailArgs]) error {
	a := job.Args
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		loc = time.UTC
	}
	to := notify.Recipient{Person: a.Session.Attendee, Lang: a.Language, Location: loc, IsMentor: a.ToMentor}
	if a.ToMentor {
		to.Person = a.Session.Organizer
	}
	msg, err := notify.BuildMessage(notify.Kind(a.Event), a.Session, to, w.from, notify.Extra{Reason: a.Reason, Lead: a.Lead})
	if err != nil {
		return river.JobCancel(fmt.Errorf("build %s mail for booking %s: %w", a.Event, a.BookingID, err))
	}
	if err := w.sender.Send(ctx, msg); err != nil {
		attrs := []any{slog.String("booking_id", a.BookingID), slog.String("event", a.Event),
			slog.String("to", to.Person.Email), slog.Int("attempt", job.Attempt), slog.Any("error", err)}
		if mail.IsPermanent(err) {
			w.logger.Error("mail refused permanently; giving up", attrs...)
			return river.JobCancel(fmt.Errorf("send %s mail for booking %s: %w", a.Event, a.BookingID, err))
		}
		if job.Attempt >= job.MaxAttempts {
			w.logger.Error("mail not delivered after every retry; giving up", attrs...)
		} else {
			w.logger.Warn("mail delivery failed; will retry", attrs...)
		}
		return fmt.Errorf("send %s mail for booking %s: %w", a.Event, a.BookingID, err)
	}
	return nil
}
