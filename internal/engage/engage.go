// Package engage writes to people about their place in the programme,
// outside any one session: the welcome when a mentor or a mentee joins or
// a mentee changes mentor, and the nudge when a pair has not met within
// the expected interval. Each mail is a durable job enqueued in the
// transaction of the change it announces (or of the nudge's claim), so it
// exists if and only if the change commits; the link it carries is sealed
// in the job's arguments, and its Message-ID is stable per event, so a job
// run again after a crash does not mail twice (internal/maillog).
package engage

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// WelcomeLinkLifetime is how long a new mentor's sign-in link works: a
// welcome is read days later, unlike a link asked for a minute ago. It
// still works once only; afterwards the mentor asks for a fresh one.
const WelcomeLinkLifetime = 7 * 24 * time.Hour

// The kinds of mail (jobs.PeopleMailArgs.Mail).
const (
	mailMentorWelcome    = "mentor_welcome"
	mailMenteeWelcome    = "mentee_welcome"
	mailMenteeReassigned = "mentee_reassigned"
	mailNudgeMentee      = "nudge_mentee"
	mailNudgeMentor      = "nudge_mentor"
)

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Options configure the service.
type Options struct {
	Mailer mail.Sender
	From   calendar.Person
	// ExpectedInterval: a pair with no session within it is nudged
	// (RENDEZVOUS_EXPECTED_INTERVAL; a week when 0).
	ExpectedInterval time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service enqueues and sends the welcomes and nudges.
type Service struct {
	Options
	store *store.Store
	box   *secret.Box
	links links.Links
	jobs  Enqueuer
}

// New builds the service; box seals the links the jobs carry.
func New(s *store.Store, box *secret.Box, l links.Links, jobs Enqueuer, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ExpectedInterval <= 0 {
		opts.ExpectedInterval = 7 * 24 * time.Hour
	}
	return &Service{Options: opts, store: s, box: box, links: l, jobs: jobs}
}

// MentorJoinedTx enqueues a new mentor's welcome with a single-use
// sign-in link, stored in tx (the mentor's creation).
func (s *Service) MentorJoinedTx(ctx context.Context, tx *store.Tx, m *store.Mentor) error {
	token := secret.NewToken()
	expires := store.UTCSecond(s.Now().Add(WelcomeLinkLifetime))
	if err := tx.InsertSigninToken(ctx, &store.SigninToken{TokenHash: secret.HashToken(token), MentorID: m.ID, ExpiresAt: expires}); err != nil {
		return fmt.Errorf("welcome sign-in link of mentor %s: %w", m.ID, err)
	}
	args := jobs.PeopleMailArgs{Mail: mailMentorWelcome, Event: "mentor:" + m.ID, MentorID: m.ID,
		ToName: m.Name, ToEmail: m.Email, Language: m.Language, Timezone: m.Timezone,
		LinkSealed: s.box.SealString(s.links.MentorSignin(token)), LinkExpires: &expires}
	return s.enqueue(ctx, tx, args)
}

// MenteeJoinedTx enqueues a new (or imported) mentee's welcome: their
// mentor and their personal booking link.
func (s *Service) MenteeJoinedTx(ctx context.Context, tx *store.Tx, e *store.Mentee, mentor *store.Mentor) error {
	args, err := s.menteeArgs(mailMenteeWelcome, e, mentor)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, args)
}

// MenteeReassignedTx enqueues the mail of a mentee given another mentor:
// the new mentor and their booking link, which now leads there.
func (s *Service) MenteeReassignedTx(ctx context.Context, tx *store.Tx, e *store.Mentee, mentor, previous *store.Mentor) error {
	args, err := s.menteeArgs(mailMenteeReassigned, e, mentor)
	if err != nil {
		return err
	}
	if previous != nil {
		args.PreviousMentor = previous.Name
	}
	return s.enqueue(ctx, tx, args)
}

// menteeArgs is a mail to mentee e about mentor, with e's booking link.
// Its event is the assignment itself (mentee, mentor, when): each
// assignment is announced once.
func (s *Service) menteeArgs(kind string, e *store.Mentee, mentor *store.Mentor) (jobs.PeopleMailArgs, error) {
	link, err := s.bookingLink(e)
	if err != nil {
		return jobs.PeopleMailArgs{}, err
	}
	event := kind + ":" + e.ID + ":" + mentor.ID + ":" + strconv.FormatInt(e.AssignedAt.UnixNano(), 10)
	return jobs.PeopleMailArgs{Mail: kind, Event: event, MentorID: mentor.ID, MenteeID: e.ID,
		ToName: e.Name, ToEmail: e.Email, Language: e.Language, Timezone: e.Timezone,
		OtherName: mentor.Name, OtherEmail: mentor.Email, OtherTimezone: mentor.Timezone, LinkSealed: link}, nil
}

// bookingLink is e's personal booking link, sealed.
func (s *Service) bookingLink(e *store.Mentee) (string, error) {
	token, err := s.box.OpenString(e.LinkTokenSealed)
	if err != nil {
		return "", fmt.Errorf("booking link of mentee %s: %w", e.ID, err)
	}
	return s.box.SealString(s.links.Book(token)), nil
}

func (s *Service) enqueue(ctx context.Context, tx *store.Tx, args jobs.PeopleMailArgs) error {
	if err := s.jobs.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s mail: %w", args.Mail, err)
	}
	return nil
}
