package mentoring

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// MenteeInput is a new mentee.
type MenteeInput struct {
	Name     string
	Email    string
	Timezone string
	Language string
	// Silent sends no welcome mail ("notify": false).
	Silent bool
}

// CheckMentee validates a new mentee's fields.
func CheckMentee(in MenteeInput) (MenteeInput, error) {
	if err := validate.Name("name", in.Name); err != nil {
		return in, err
	}
	email, err := validate.Email("email", in.Email)
	if err != nil {
		return in, err
	}
	in.Email, in.Name = email, strings.TrimSpace(in.Name)
	if _, err := validate.Timezone("timezone", in.Timezone); err != nil {
		return in, err
	}
	in.Language = validate.Language(in.Language)
	return in, nil
}

// AddMenteeTx adds a mentee to a mentor whose row tx has locked, refusing
// with caseload_full when every place is taken. Run it in the transaction
// that locked the mentor so concurrent additions cannot overfill.
func (s *Service) AddMenteeTx(ctx context.Context, tx *store.Tx, mentor *store.Mentor, in MenteeInput) (*store.Mentee, string, error) {
	in, err := CheckMentee(in)
	if err != nil {
		return nil, "", err
	}
	if err := takesMentees(mentor); err != nil {
		return nil, "", err
	}
	if err := s.checkPersonFree(ctx, tx, validate.EmailKey(in.Email), in.Email, mentor); err != nil {
		return nil, "", err
	}
	active, err := tx.CountActiveMentees(ctx, mentor.ID)
	if err != nil {
		return nil, "", err
	}
	if active >= mentor.MaxMentees {
		return nil, "", apperr.Errorf(apperr.CaseloadFull, "%s already follows %d mentees, their maximum", mentor.Name, mentor.MaxMentees)
	}
	now := s.now().UTC()
	link := secret.NewToken()
	m := &store.Mentee{
		ID: uuid.Must(uuid.NewV7()).String(), MentorID: &mentor.ID, Name: in.Name, Email: in.Email,
		EmailKey: validate.EmailKey(in.Email), Timezone: in.Timezone, Language: in.Language, Status: "active",
		LinkTokenHash: secret.HashToken(link), LinkTokenSealed: s.box.SealString(link), AssignedAt: now,
	}
	if err := tx.InsertMentee(ctx, m); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, "", apperr.Errorf(apperr.AlreadyMentored, "%s is already an active mentee of %s", in.Email, mentor.Name)
		}
		return nil, "", fmt.Errorf("add mentee: %w", err)
	}
	if err := s.emit(ctx, tx, webhooks.Mentee(webhooks.MenteeAssigned, m, mentor, nil)); err != nil {
		return nil, "", err
	}
	return m, link, nil
}
