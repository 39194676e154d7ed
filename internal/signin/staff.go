package signin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/providers/mail"
)

// Staff members sign in to the console as mentors sign in to their area:
// a mailed single-use link (stored hashed, its mail job sealed), then a
// server-side session whose cookie holds a random value.

// RequestStaff mails a console sign-in link to the staff member with
// this address, and answers the same whether or not there is one.
func (s *Service) RequestStaff(ctx context.Context, email, lang string) error {
	addr, err := validate.Email("email", email)
	if err != nil {
		return err
	}
	if err := s.countRequest(ctx, addr); err != nil {
		return err
	}
	m, err := s.store.StaffByEmailKey(ctx, validate.EmailKey(addr))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token := secret.NewToken()
	expires := store.UTCSecond(s.now().Add(LinkLifetime))
	link := s.Links.StaffSignin(token)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertStaffSigninToken(ctx, &store.StaffSigninToken{TokenHash: secret.HashToken(token), StaffID: m.ID, ExpiresAt: expires}); err != nil {
			return err
		}
		return s.jobs.InsertTx(ctx, tx, jobs.StaffSigninMailArgs{StaffID: m.ID, LinkSealed: s.box.SealString(link),
			Language: lang, ExpiresAt: expires}, nil)
	})
	if err != nil {
		return fmt.Errorf("sign-in link for staff %s: %w", m.ID, err)
	}
	return nil
}

// RedeemStaff uses a mailed console token once and returns its staff
// member's id.
func (s *Service) RedeemStaff(ctx context.Context, token string) (string, error) {
	if !secret.Plausible(token) {
		return "", errBadLink
	}
	id, err := s.store.UseStaffSigninToken(ctx, secret.HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", errBadLink
	}
	return id, err
}

// StaffSessionStart signs a staff member's browser in to the console.
func (s *Service) StaffSessionStart(ctx context.Context, staffID string) (value string, expires time.Time, err error) {
	value = secret.NewToken()
	now := s.now()
	expires = now.Add(SessionLifetime).Truncate(time.Second)
	row := &store.StaffSession{TokenHash: secret.HashToken(value), StaffID: staffID, CreatedAt: now, ExpiresAt: expires}
	if err := s.store.InsertStaffSession(ctx, row); err != nil {
		return "", time.Time{}, err
	}
	return value, expires, nil
}

// StaffSession is the principal (with the member's current role) of a
// live console session value; ok is false for an unknown, expired or
// ended one, or one whose staff member was removed.
func (s *Service) StaffSession(ctx context.Context, value string) (p access.Principal, ok bool, err error) {
	if !secret.Plausible(value) {
		return access.Principal{}, false, nil
	}
	m, err := s.store.StaffOfSession(ctx, secret.HashToken(value), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return access.Principal{}, false, nil
	}
	if err != nil {
		return access.Principal{}, false, err
	}
	role := access.Role(m.Role)
	if !access.StaffRole(role) {
		return access.Principal{}, false, nil
	}
	return access.Staff(m.ID, role), true, nil
}

// SignOutStaff ends a console session, or with everywhere set, every
// session of its staff member.
func (s *Service) SignOutStaff(ctx context.Context, value string, everywhere bool) error {
	if !secret.Plausible(value) {
		return nil
	}
	return s.store.DeleteStaffSessions(ctx, secret.HashToken(value), everywhere)
}

// staffMailWorker sends one console sign-in link; like mailWorker, it
// gives up once the link has expired or the mail is refused for good.
type staffMailWorker struct {
	river.WorkerDefaults[jobs.StaffSigninMailArgs]
	svc *Service
}

func (w *staffMailWorker) Work(ctx context.Context, job *river.Job[jobs.StaffSigninMailArgs]) error {
	s, a := w.svc, job.Args
	return s.mailLink(ctx, "staff", a.StaffID, a.ExpiresAt, a.LinkSealed, func(ctx context.Context, link string) (mail.Message, error) {
		m, err := s.store.StaffMember(ctx, a.StaffID)
		if err != nil {
			return mail.Message{}, err
		}
		return staffLinkMessage(s.From, m, link, a.Language), nil
	})
}

func staffLinkMessage(from calendar.Person, m *store.Staff, link, lang string) mail.Message {
	msg := mail.Message{From: from, To: calendar.Person{Name: m.Name, Email: m.Email}, MessageID: linkMessageID(from, link)}
	if strings.HasPrefix(lang, "fr") {
		msg.Subject = "Votre lien de connexion à la console Rendezvous"
		msg.Text = fmt.Sprintf("Bonjour %s,\n\nOuvrez ce lien pour accéder à la console du programme :\n\n%s\n\n"+
			"Il est valable %d minutes et une seule fois. Si vous n'avez rien demandé, ignorez ce message.\n", m.Name, link, int(LinkLifetime.Minutes()))
		return msg
	}
	msg.Subject = "Your Rendezvous console sign-in link"
	msg.Text = fmt.Sprintf("Hello %s,\n\nOpen this link to reach the programme console:\n\n%s\n\n"+
		"It works once, for %d minutes. If you did not ask for it, ignore this mail.\n", m.Name, link, int(LinkLifetime.Minutes()))
	return msg
}
