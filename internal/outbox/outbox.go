// Package outbox is what leaves the service about a session: its calendar
// form (invites, .ics files, feeds and the event written into the mentor's
// calendar), the links each party receives, and the mails that announce
// its changes, enqueued in the change's own transaction and delivered by
// a durable job. Booking and calendar sync both use it; it uses neither.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Events announced to both parties.
const (
	EventConfirmed   = "confirmed"
	EventRescheduled = "rescheduled"
	EventCancelled   = "cancelled"
	EventReminder    = "reminder"
	// EventTransferred: same time, another mentor.
	EventTransferred = "transferred"
	// EventSummary mails a report's summary to the mentee.
	EventSummary = "summary"
	// EventReportDue reminds a mentor to file a session's report.
	EventReportDue = "report_due"
	// EventMoveRefused tells a mentor that the session did not follow
	// their move (or length change) of its event in their calendar.
	EventMoveRefused = "calendar_move_refused"
)

// CancelledByReassignment is who cancelled, in the former mentor's mail,
// a session handed to another mentor.
const CancelledByReassignment = "reassigned"

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertManyTx(ctx context.Context, tx *store.Tx, params []river.InsertManyParams) error
}

// Outbox builds and enqueues what leaves the service about sessions.
type Outbox struct {
	store  *store.Store
	box    *secret.Box
	links  links.Links
	jobs   Enqueuer
	logger *slog.Logger
	now    func() time.Time
}

// Options configure the outbox.
type Options struct {
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New builds the outbox; box seals the links that mail jobs carry.
func New(s *store.Store, box *secret.Box, l links.Links, jobs Enqueuer, opts Options) *Outbox {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Outbox{store: s, box: box, links: l, jobs: jobs, logger: opts.Logger, now: opts.Now}
}

// SessionOf builds the calendar form of a stored booking.
func SessionOf(b *store.Booking, mentor *store.Mentor, mentee *store.Mentee, manageURL string, stamp time.Time) calendar.Session {
	return calendar.Session{
		UID: b.UID, Sequence: b.Sequence, Start: b.StartAt.UTC(), End: b.EndAt.UTC(),
		Cancelled: b.Status == store.StatusCancelled,
		// Concatenation rather than Sprintf: a feed builds thousands.
		Summary: "Mentoring: " + mentor.Name + " / " + mentee.Name,
		Description: "Mentoring session between " + mentor.Name + " (mentor) and " + mentee.Name + " (mentee)." +
			noteLine(b.Note),
		VideoURL: b.VideoURL, ManageURL: manageURL,
		Organizer: calendar.Person{Name: mentor.Name, Email: mentor.Email},
		Attendee:  calendar.Person{Name: mentee.Name, Email: mentee.Email},
		Stamp:     stamp.UTC().Truncate(time.Second), Created: b.CreatedAt.UTC(), Modified: b.UpdatedAt.UTC(),
	}
}

func noteLine(note string) string {
	if note == "" {
		return ""
	}
	return "\n\nNote from the mentee: " + note
}

// Session is the calendar form of a booking with its mentor and mentee,
// linking to the mentee's manage page.
func (o *Outbox) Session(b *store.Booking, mentor *store.Mentor, mentee *store.Mentee) (calendar.Session, error) {
	token, err := o.box.OpenString(b.ManageTokenSealed)
	if err != nil {
		return calendar.Session{}, fmt.Errorf("booking %s manage token: %w", b.ID, err)
	}
	return SessionOf(b, mentor, mentee, o.links.Manage(token), o.now()), nil
}

// Parties reads a booking's mentor and mentee.
func Parties(ctx context.Context, q store.Q, b *store.Booking) (*store.Mentor, *store.Mentee, error) {
	mentor, err := q.Mentor(ctx, b.MentorID)
	if err != nil {
		return nil, nil, fmt.Errorf("mentor of booking %s: %w", b.ID, err)
	}
	mentee, err := q.Mentee(ctx, b.MenteeID)
	if err != nil {
		return nil, nil, fmt.Errorf("mentee of booking %s: %w", b.ID, err)
	}
	return mentor, mentee, nil
}

// CalendarForm reads a booking's parties and builds the event written into
// the mentor's calendar. It links to the session's page in the mentor area
// (which needs the mentor signed in), never to the mentee's manage page:
// the manage token is the mentee's key, and a calendar is shared with
// assistants, family, or published; whoever held it could move or cancel
// the session as the mentee. (The mentor's feed does the same.)
// It carries the mentor's own video link.
func (o *Outbox) CalendarForm(ctx context.Context, q store.Q, b *store.Booking) (calendar.Session, error) {
	mentor, mentee, err := Parties(ctx, q, b)
	if err != nil {
		return calendar.Session{}, err
	}
	sess := SessionOf(b, mentor, mentee, o.links.MentorSession(b.ID), o.now())
	sess.VideoURL = o.VideoURL(b, true)
	return o.maybeSeries(ctx, q, b, sess)
}

// MenteeCalendarForm is the session as the mentee's own "add to calendar"
// file: with their manage link and their video link, since they are its
// holder.
func (o *Outbox) MenteeCalendarForm(ctx context.Context, q store.Q, b *store.Booking) (calendar.Session, error) {
	mentor, mentee, err := Parties(ctx, q, b)
	if err != nil {
		return calendar.Session{}, err
	}
	sess, err := o.Session(b, mentor, mentee)
	sess.VideoURL = o.VideoURL(b, false)
	if err != nil {
		return sess, err
	}
	return o.maybeSeries(ctx, q, b, sess)
}

// maybeSeries turns the form of a session of a weekly series into the
// series' (one event for all of its sessions).
func (o *Outbox) maybeSeries(ctx context.Context, q store.Q, b *store.Booking, sess calendar.Session) (calendar.Session, error) {
	series, err := SeriesOf(ctx, q, b)
	if err != nil || series == nil {
		return sess, err
	}
	return SeriesForm(sess, series)
}

// moderatorPurpose and menteePurpose are what each party's key of a
// room is computed over: the mentor's key also makes BigBlueButton admit
// them as moderator.
func moderatorPurpose(room string) string { return "moderator:" + room }
func menteePurpose(room string) string    { return "mentee:" + room }

// VideoURL is the video link a party receives: every link goes through
// BASE_URL/join/{room}, which records that party's first join and
// redirects to the provider. Each party's link carries its own key (a MAC
// of the room), so the join endpoint tells them apart without a bearer
// token: the key opens nothing but that room. Sessions without a room
// (none, or a Meet link made before rooms) keep the provider's link.
func (o *Outbox) VideoURL(b *store.Booking, toMentor bool) string {
	if b.VideoURL == "" || b.VideoRoom == "" {
		return b.VideoURL
	}
	purpose := menteePurpose(b.VideoRoom)
	if toMentor {
		purpose = moderatorPurpose(b.VideoRoom)
	}
	return o.links.JoinBase() + "/" + url.PathEscape(b.VideoRoom) + "?k=" + o.box.MAC(purpose)
}

// JoinParty tells who a join key of room belongs to: "mentor", "mentee",
// or "" for none (a link without a key, or a forged one).
func (o *Outbox) JoinParty(room, key string) string {
	switch {
	case key == "":
		return ""
	case secret.Equal(key, o.box.MAC(moderatorPurpose(room))):
		return PartyMentor
	case secret.Equal(key, o.box.MAC(menteePurpose(room))):
		return PartyMentee
	}
	return ""
}

// The parties of a session, as JoinParty names them.
const (
	PartyMentor = "mentor"
	PartyMentee = "mentee"
)
