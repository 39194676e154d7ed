package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/maillog"
	"github.com/rendezvous/rendezvous/internal/notify"
	"github.com/rendezvous/rendezvous/internal/secret"
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
	// Previous is a rescheduled session's former start.
	Previous time.Time
	// Series, for a session of a weekly series, makes the invitation
	// the whole series'.
	Series *Series
}

// Mails is the mail job of a notice to the mentee and the mentor (one
// job carrying both mails, each in its reader's language and zone, with
// their own video link). Enqueue it in the change's transaction: it exists
// if and only if the change commits.
func (o *Outbox) Mails(n Notice) ([]river.InsertManyParams, error) {
	sess, err := o.Session(n.Booking, n.Mentor, n.Mentee)
	if err != nil {
		return nil, err
	}
	if n.Series != nil && n.Event != EventReminder {
		if sess, err = SeriesForm(sess, n.Series); err != nil {
			return nil, err
		}
	}
	var previous *time.Time
	if n.Event == EventRescheduled && !n.Previous.IsZero() {
		p := n.Previous.UTC()
		previous = &p
	}
	var cancelledBy, rebook string
	if n.Event == EventCancelled {
		cancelledBy, rebook = n.Booking.CancelledBy, rebookToken(n.Mentor, n.Mentee)
	}
	if n.Event == EventConfirmed {
		// Their own link only (a public booker who just became a mentee
		// learns it here), never the mentor's public one.
		rebook = ownBookingToken(n.Mentor, n.Mentee)
	}
	var skipped []jobs.SkippedArgs
	if n.Series != nil && (n.Event == EventConfirmed || n.Event == EventTransferred) && n.Series.Row.Skipped != "" {
		// The series' confirmation says which starts were not booked.
		if err := json.Unmarshal([]byte(n.Series.Row.Skipped), &skipped); err != nil {
			return nil, fmt.Errorf("skipped starts of series %s: %w", n.Series.Row.ID, err)
		}
	}
	mails := make([]jobs.MailArgs, 0, 2)
	for _, toMentor := range []bool{false, true} {
		lang, zone, other := n.Mentee.Language, n.Mentee.Timezone, n.Mentor.Timezone
		args := jobs.MailArgs{BookingID: n.Booking.ID, Event: n.Event, ToMentor: toMentor, Reason: n.Reason, Lead: n.Lead,
			PreviousStart: previous, CancelledBy: cancelledBy, RebookTokenSealed: rebook, Skipped: skipped}
		if toMentor {
			lang, zone, other = n.Mentor.Language, n.Mentor.Timezone, n.Mentee.Timezone
			args.RebookTokenSealed, args.Note = "", n.Booking.Note
		}
		forThem := sess
		forThem.VideoURL = o.VideoURL(n.Booking, toMentor)
		if toMentor {
			forThem.ManageURL = "" // the mentee's key; the mentor's mail links to their session page
		}
		args.Session, args.Language, args.Timezone, args.OtherTimezone = jobs.SealSession(o.box, forThem), lang, zone, other
		mails = append(mails, args)
	}
	job, err := jobs.SealNoticeMails(o.box, mails)
	if err != nil {
		return nil, err
	}
	return []river.InsertManyParams{{Args: job}}, nil
}

// ownBookingToken is the mentee's own sealed booking link while their
// mentorship with mentor lasts, else "".
func ownBookingToken(mentor *store.Mentor, mentee *store.Mentee) string {
	if mentee.Status == store.MenteeActive && mentee.MentorID != nil && *mentee.MentorID == mentor.ID {
		return mentee.LinkTokenSealed
	}
	return ""
}

// RebookToken is the sealed link a mentee books again with: their own
// while the mentorship lasts, else the mentor's public link if it is on
// ("" when neither).
func RebookToken(mentor *store.Mentor, mentee *store.Mentee) string {
	return rebookToken(mentor, mentee)
}

func rebookToken(mentor *store.Mentor, mentee *store.Mentee) string {
	if own := ownBookingToken(mentor, mentee); own != "" {
		return own
	}
	if mentor.PublicBooking && mentor.PublicTokenSealed != "" {
		return mentor.PublicTokenSealed
	}
	return ""
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
	sess.VideoURL, sess.ManageURL = "", ""
	return river.InsertManyParams{Args: jobs.MailArgs{BookingID: b.ID, Event: EventCancelled, Session: jobs.SealSession(o.box, sess),
		ToMentor: true, Language: former.Language, Timezone: former.Timezone, OtherTimezone: mentee.Timezone,
		CancelledBy: CancelledByReassignment, Note: b.Note}}, nil
}

// SummaryMail is the mail of a report's summary to the mentee, with their
// booking link for the next session while the mentorship lasts.
func (o *Outbox) SummaryMail(b *store.Booking, mentor *store.Mentor, mentee *store.Mentee) ([]river.InsertManyParams, error) {
	sess, err := o.Session(b, mentor, mentee)
	if err != nil {
		return nil, err
	}
	sess.VideoURL, sess.ManageURL = "", ""
	args := jobs.MailArgs{BookingID: b.ID, Event: EventSummary, Session: jobs.SealSession(o.box, sess), Language: mentee.Language,
		Timezone: mentee.Timezone, OtherTimezone: mentor.Timezone, Summary: b.ReportSummary, RebookTokenSealed: rebookToken(mentor, mentee)}
	return []river.InsertManyParams{{Args: args}}, nil
}

// ReportDueMail reminds a mentor to file the report of an ended session.
func (o *Outbox) ReportDueMail(b *store.Booking, mentor *store.Mentor, mentee *store.Mentee) (river.InsertManyParams, error) {
	sess, err := o.Session(b, mentor, mentee)
	if err != nil {
		return river.InsertManyParams{}, err
	}
	sess.VideoURL, sess.ManageURL = "", ""
	return river.InsertManyParams{Args: jobs.MailArgs{BookingID: b.ID, Event: EventReportDue, Session: jobs.SealSession(o.box, sess), ToMentor: true,
		Language: mentor.Language, Timezone: mentor.Timezone, OtherTimezone: mentee.Timezone}}, nil
}

// Tried is a change the mentor made to a session's event in their own
// calendar that the session did not follow: moved to Start (or, with
// Reason "length", ending at End), refused for Reason.
type Tried struct {
	Start, End time.Time
	Reason     string
}

// MoveRefusedMail tells the mentor that the session did not follow their
// calendar edit, why, and that it keeps its time. The mentee is not told:
// nothing changed for them.
func (o *Outbox) MoveRefusedMail(b *store.Booking, mentor *store.Mentor, mentee *store.Mentee, tried Tried) (river.InsertManyParams, error) {
	sess, err := o.Session(b, mentor, mentee)
	if err != nil {
		return river.InsertManyParams{}, err
	}
	sess.ManageURL = "" // the mentee's key
	sess.VideoURL = o.VideoURL(b, true)
	start, end := tried.Start.UTC(), tried.End.UTC()
	args := jobs.MailArgs{BookingID: b.ID, Event: EventMoveRefused, Session: jobs.SealSession(o.box, sess), ToMentor: true,
		Language: mentor.Language, Timezone: mentor.Timezone, OtherTimezone: mentee.Timezone,
		Refused: tried.Reason, TriedStart: &start, Note: b.Note}
	if !tried.End.IsZero() {
		args.TriedEnd = &end
	}
	return river.InsertManyParams{Args: args}, nil
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
	series, err := SeriesOf(ctx, tx.Q, b)
	if err != nil {
		return err
	}
	mails, err := o.Mails(Notice{Booking: b, Mentor: mentor, Mentee: mentee, Event: b.MailHeld, Series: series})
	if err != nil {
		return err
	}
	if err := tx.HoldBookingMail(ctx, b.ID, ""); err != nil {
		return err
	}
	return o.jobs.InsertManyTx(ctx, tx, mails)
}

// RegisterWorkers adds the mail workers to the job engine: single mails,
// and the notices' pairs of mails.
func (o *Outbox) RegisterWorkers(w *river.Workers, sender mail.Sender, from calendar.Person) {
	one := &mailWorker{sender: sender, from: from, logger: o.logger, box: o.box, links: o.links}
	river.AddWorker(w, one)
	river.AddWorker(w, &noticeMailsWorker{mail: one})
}

// mailWorker renders and sends one notification. Temporary failures (4xx,
// timeouts, a server that is down) return an error so River retries with
// backoff; a permanent refusal (5xx) cancels the job with a logged error.
type mailWorker struct {
	river.WorkerDefaults[jobs.MailArgs]
	sender mail.Sender
	from   calendar.Person
	logger *slog.Logger
	box    *secret.Box
	links  links.Links
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[jobs.MailArgs]) error {
	permanent, err := w.deliver(ctx, job.Args, job.Attempt, job.MaxAttempts)
	if permanent {
		return river.JobCancel(err)
	}
	return err
}

// noticeMailsWorker sends the mails of a notice, each as mailWorker does.
// Every mail is tried. While one failed temporarily the job fails, and is
// retried: the mails sent already are skipped then by their Message-ID
// (the sender is internal/maillog's). A mail refused permanently is given
// up (logged) without holding back the others; the job is cancelled only
// when every mail was refused permanently, as a single mail's would be.
type noticeMailsWorker struct {
	river.WorkerDefaults[jobs.NoticeMailsArgs]
	mail *mailWorker
}

func (w *noticeMailsWorker) Work(ctx context.Context, job *river.Job[jobs.NoticeMailsArgs]) error {
	mails, err := job.Args.Open(w.mail.box)
	if err != nil {
		// Sealed under another key: none of them can be rebuilt.
		w.mail.logger.Error("notice mails cannot be opened; giving up", slog.String("booking_id", job.Args.BookingID),
			slog.String("event", job.Args.Event), slog.Any("error", err))
		return river.JobCancel(err)
	}
	var temporary, permanent []error
	sent := 0
	for _, a := range mails {
		perm, err := w.mail.deliver(ctx, a, job.Attempt, job.MaxAttempts)
		switch {
		case err == nil:
			sent++
		case perm:
			permanent = append(permanent, err)
		default:
			temporary = append(temporary, err)
		}
	}
	switch {
	case len(temporary) > 0:
		return errors.Join(temporary...)
	case sent == 0 && len(permanent) > 0:
		return river.JobCancel(errors.Join(permanent...))
	}
	return nil
}

// deliver renders and sends one mail (nil: sent, now or before). A mail
// that can never go out (refused permanently, or its links sealed under
// another key) is logged and reported permanent; a temporary failure is
// logged as one to retry, or, on the last attempt, as given up.
func (w *mailWorker) deliver(ctx context.Context, a jobs.MailArgs, attempt, maxAttempts int) (permanent bool, _ error) {
	sess, err := a.Session.Open(w.box)
	if err != nil {
		// Sealed under another key: the links cannot be rebuilt.
		err = fmt.Errorf("%s mail for booking %s: %w", a.Event, a.BookingID, err)
		w.logger.Error("mail cannot be opened; giving up", slog.String("booking_id", a.BookingID), slog.String("event", a.Event), slog.Any("error", err))
		return true, err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		loc = time.UTC
	}
	to := notify.Recipient{Person: sess.Attendee, Lang: a.Language, Location: loc, IsMentor: a.ToMentor}
	extra := notify.Extra{Reason: a.Reason, Lead: a.Lead, CancelledBy: a.CancelledBy, Note: a.Note, Summary: a.Summary}
	for _, sk := range a.Skipped {
		extra.Skipped = append(extra.Skipped, notify.Skipped{Start: sk.Start, Reason: sk.Reason})
	}
	if other, err := time.LoadLocation(a.OtherTimezone); err == nil && a.OtherTimezone != "" {
		extra.OtherLocation = other
	}
	if a.PreviousStart != nil {
		extra.Previous = *a.PreviousStart
	}
	if a.TriedStart != nil {
		extra.Tried = notify.Tried{Start: *a.TriedStart, Reason: a.Refused}
		if a.TriedEnd != nil {
			extra.Tried.End = *a.TriedEnd
		}
	}
	if a.ToMentor {
		to.Person = sess.Organizer
		extra.SessionURL = w.links.MentorSession(a.BookingID)
	} else if a.RebookTokenSealed != "" {
		// A link that no longer opens (rotated key) only loses the
		// rebook line; the mail still goes out.
		if token, err := w.box.OpenString(a.RebookTokenSealed); err == nil {
			extra.RebookURL = w.links.Book(token)
		}
	}
	msg, err := notify.BuildMessage(notify.Kind(a.Event), sess, to, w.from, extra)
	if err != nil {
		err = fmt.Errorf("build %s mail for booking %s: %w", a.Event, a.BookingID, err)
		w.logger.Error("mail cannot be built; giving up", slog.String("booking_id", a.BookingID), slog.String("event", a.Event), slog.Any("error", err))
		return true, err
	}
	if err := w.sender.Send(ctx, msg); err != nil {
		attrs := []any{slog.String("booking_id", a.BookingID), slog.String("event", a.Event),
			slog.String("to", to.Person.Email), slog.Int("attempt", attempt), slog.Any("error", err)}
		err = fmt.Errorf("send %s mail for booking %s: %w", a.Event, a.BookingID, err)
		if errors.Is(err, maillog.ErrRefusedBefore) {
			w.logger.Info("mail refused for good at an earlier attempt; not offered again", attrs...)
			return true, err
		}
		if mail.IsPermanent(err) {
			w.logger.Error("mail refused permanently; giving up", attrs...)
			return true, err
		}
		if attempt >= maxAttempts {
			w.logger.Error("mail not delivered after every retry; giving up", attrs...)
		} else {
			w.logger.Warn("mail delivery failed; will retry", attrs...)
		}
		return false, err
	}
	return false, nil
}
