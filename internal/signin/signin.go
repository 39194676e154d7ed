// Package signin establishes who calls: the admin token and mentors'
// bearer tokens, and browsers signed in without a password through a
// single-use, short-lived link mailed to the person's address, exchanged
// for a session stored on the server. What the caller may then do is
// decided by the services (see package access).
package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/providers/mail"
)

const (
	// LinkLifetime is how long a mailed link stays usable: long enough to
	// switch to the mail client, short enough that an old mail is useless.
	LinkLifetime = 15 * time.Minute
	// SessionLifetime is how long a signed-in browser stays signed in.
	SessionLifetime = 12 * time.Hour
	// RecipientLimit sign-in links go to one address per RecipientWindow,
	// whoever asks and from wherever: a person who lost a few mails still
	// gets in, a flood cannot fill their mailbox.
	RecipientLimit  = 5
	RecipientWindow = time.Hour
)

// Options configure the service.
type Options struct {
	Links links.Links
	// AdminHash is the hash of the admin token (see AdminToken).
	AdminHash string
	Mailer    mail.Sender
	// Now is the service's clock (time.Now when nil).
	Now    func() time.Time
	From   calendar.Person
	Logger *slog.Logger
}

// Enqueuer inserts jobs inside a store transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Service issues sign-in links and session values.
type Service struct {
	Options
	store *store.Store
	jobs  Enqueuer
	box   *secret.Box
	now   func() time.Time
}

// New builds the service; jobs carries the sign-in mails.
func New(s *store.Store, jobs Enqueuer, box *secret.Box, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{Options: opts, store: s, jobs: jobs, box: box, now: opts.Now}
}

var errBadLink = apperr.Errorf(apperr.NotFound, "this sign-in link is unknown, expired or already used")

// Request mails a sign-in link to every mentor with this address. It
// reports nothing about whether the address is known, so the form cannot
// be used to find out who mentors here. The link is stored and its mail
// enqueued in one transaction: an SMTP server that is down delays the mail
// (retried while the link is valid) rather than failing the form.
func (s *Service) Request(ctx context.Context, email, lang string) error {
	addr, err := validate.Email("email", email)
	if err != nil {
		return err
	}
	if err := s.countRequest(ctx, addr); err != nil {
		return err
	}
	mentors, err := s.store.MentorsByEmail(ctx, addr)
	if err != nil {
		return err
	}
	for i := range mentors {
		m := &mentors[i]
		token := secret.NewToken()
		expires := store.UTCSecond(s.now().Add(LinkLifetime))
		link := s.Links.MentorSignin(token)
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			row := &store.SigninToken{TokenHash: secret.HashToken(token), MentorID: m.ID, ExpiresAt: expires}
			if err := tx.InsertSigninToken(ctx, row); err != nil {
				return err
			}
			return s.jobs.InsertTx(ctx, tx, jobs.SigninMailArgs{MentorID: m.ID, LinkSealed: s.box.SealString(link),
				Language: lang, ExpiresAt: expires}, nil)
		})
		if err != nil {
			return fmt.Errorf("sign-in link for mentor %s: %w", m.ID, err)
		}
	}
	return nil
}

// IssueLink makes a sign-in link for a mentor without mailing it (the
// demo prints it on the console). It is single-use and valid for
// LinkLifetime, as a mailed one.
func (s *Service) IssueLink(ctx context.Context, mentorID string) (string, error) {
	token := secret.NewToken()
	row := &store.SigninToken{TokenHash: secret.HashToken(token), MentorID: mentorID, ExpiresAt: store.UTCSecond(s.now().Add(LinkLifetime))}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error { return tx.InsertSigninToken(ctx, row) }); err != nil {
		return "", fmt.Errorf("sign-in link for mentor %s: %w", mentorID, err)
	}
	return s.Links.MentorSignin(token), nil
}

// RegisterWorkers adds the sign-in mail worker to the job engine.
func (s *Service) RegisterWorkers(w *river.Workers) {
	river.AddWorker(w, &mailWorker{svc: s})
	river.AddWorker(w, &staffMailWorker{svc: s})
}

// mailWorker sends one sign-in link. A temporary failure is retried while
// the link is valid; a permanent refusal or an expired link ends the job.
type mailWorker struct {
	river.WorkerDefaults[jobs.SigninMailArgs]
	svc *Service
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[jobs.SigninMailArgs]) error {
	s, a := w.svc, job.Args
	return s.mailLink(ctx, "mentor", a.MentorID, a.ExpiresAt, a.LinkSealed, func(ctx context.Context, link string) (mail.Message, error) {
		m, err := s.store.Mentor(ctx, a.MentorID)
		if err != nil {
			return mail.Message{}, err
		}
		return linkMessage(s.From, m, link, a.Language), nil
	})
}

// mailLink sends one sign-in link of a person of kind ("mentor", "staff")
// for either job: a temporary failure is retried while the link is valid;
// a permanent refusal, an expired link or a person gone ends the job.
func (s *Service) mailLink(ctx context.Context, kind, id string, expiresAt time.Time, sealed string,
	compose func(ctx context.Context, link string) (mail.Message, error)) error {
	who := slog.String(kind+"_id", id)
	if !s.now().Before(expiresAt) {
		s.Logger.Warn("sign-in link expired before it could be mailed", who)
		return river.JobCancel(fmt.Errorf("sign-in link for %s %s expired unsent", kind, id))
	}
	link, err := s.box.OpenString(sealed)
	if err != nil {
		return river.JobCancel(fmt.Errorf("open sign-in link for %s %s: %w", kind, id, err))
	}
	msg, err := compose(ctx, link)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("%s %s is gone", kind, id))
	}
	if err != nil {
		return err
	}
	if err := s.Mailer.Send(ctx, msg); err != nil {
		if mail.IsPermanent(err) {
			s.Logger.Error("sign-in mail refused permanently", who, slog.Any("error", err))
			return river.JobCancel(fmt.Errorf("mail sign-in link to %s %s: %w", kind, id, err))
		}
		return fmt.Errorf("mail sign-in link to %s %s: %w", kind, id, err)
	}
	s.Logger.Info("sign-in link mailed", who)
	return nil
}

// Redeem uses a mailed token once and returns its mentor's id.
func (s *Service) Redeem(ctx context.Context, token string) (string, error) {
	if !secret.Plausible(token) {
		return "", errBadLink
	}
	id, err := s.store.UseSigninToken(ctx, secret.HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", errBadLink
	}
	return id, err
}

// Session signs a mentor in: the cookie value is a random token whose
// hash is stored with the mentor and an expiry, so that signing out ends
// the session on the server, not only in the browser.
func (s *Service) Session(ctx context.Context, mentorID string) (value string, expires time.Time, err error) {
	value = secret.NewToken()
	now := s.now()
	expires = now.Add(SessionLifetime).Truncate(time.Second)
	row := &store.MentorSession{TokenHash: secret.HashToken(value), MentorID: mentorID, CreatedAt: now, ExpiresAt: expires}
	if err := s.store.InsertMentorSession(ctx, row); err != nil {
		return "", time.Time{}, err
	}
	return value, expires, nil
}

// MentorOf returns the mentor of a live session value; ok is false for an
// unknown, expired or ended one.
func (s *Service) MentorOf(ctx context.Context, value string) (id string, ok bool, err error) {
	if !secret.Plausible(value) {
		return "", false, nil
	}
	id, err = s.store.MentorSessionMentor(ctx, secret.HashToken(value), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	return id, err == nil, err
}

// MentorSession is the principal of a live mentor-area session value; ok
// is false for an unknown, expired or ended one.
func (s *Service) MentorSession(ctx context.Context, value string) (p access.Principal, ok bool, err error) {
	id, ok, err := s.MentorOf(ctx, value)
	if err != nil || !ok {
		return access.Principal{}, false, err
	}
	return access.Mentor(id), true, nil
}

// SignOut ends the session, or with everywhere set, every session of its
// mentor (a browser left signed in elsewhere).
func (s *Service) SignOut(ctx context.Context, value string, everywhere bool) error {
	if !secret.Plausible(value) {
		return nil
	}
	return s.store.DeleteMentorSessions(ctx, secret.HashToken(value), everywhere)
}

func linkMessage(from calendar.Person, m *store.Mentor, link, lang string) mail.Message {
	msg := mail.Message{From: from, To: calendar.Person{Name: m.Name, Email: m.Email}, MessageID: linkMessageID(from, link)}
	if strings.HasPrefix(lang, "fr") {
		msg.Subject = "Votre lien de connexion Rendezvous"
		msg.Text = fmt.Sprintf("Bonjour %s,\n\nOuvrez ce lien pour accéder à votre espace mentor :\n\n%s\n\n"+
			"Il est valable %d minutes et une seule fois. Si vous n'avez rien demandé, ignorez ce message.\n", m.Name, link, int(LinkLifetime.Minutes()))
		return msg
	}
	msg.Subject = "Your Rendezvous sign-in link"
	msg.Text = fmt.Sprintf("Hello %s,\n\nOpen this link to reach your mentor area:\n\n%s\n\n"+
		"It works once, for %d minutes. If you did not ask for it, ignore this mail.\n", m.Name, link, int(LinkLifetime.Minutes()))
	return msg
}

// linkMessageID is stable per link, so that a job retried after a crash
// is recognised as sent (internal/maillog); it reveals nothing of the link.
func linkMessageID(from calendar.Person, link string) string {
	sum := sha256.Sum256([]byte(link))
	domain := "rendezvous.invalid"
	if _, d, ok := strings.Cut(from.Email, "@"); ok && d != "" {
		domain = d
	}
	return "signin." + hex.EncodeToString(sum[:12]) + "@" + domain
}

// countRequest counts a sign-in link asked for addr, mentor or staff
// alike (one mailbox), and refuses past RecipientLimit per
// RecipientWindow. It counts every address, known or not: the answer must
// not tell who is known here.
func (s *Service) countRequest(ctx context.Context, addr string) error {
	wait, err := s.store.RecordSigninRequest(ctx, s.box.MAC("signin-request:"+validate.EmailKey(addr)), s.now(), RecipientWindow, RecipientLimit)
	if err != nil {
		return err
	}
	if wait > 0 {
		return apperr.Later(apperr.RateLimited, wait, "too many sign-in links were asked for this address; try again in %d minutes",
			int((wait+time.Minute-1)/time.Minute))
	}
	return nil
}
