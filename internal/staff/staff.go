// Package staff keeps the people who run the programme: admins and
// coordinators. Only an admin manages them; they sign in to the console
// by a mailed link (package signin).
package staff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/keyset"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// Member is a staff member as the services show them.
type Member struct {
	ID        string
	Name      string
	Email     string
	Role      access.Role
	CreatedAt time.Time
}

// Input is a new staff member.
type Input struct {
	Name, Email, Role string
}

// Page is one page of the staff list; Next is empty on the last page.
type Page struct {
	Members []Member
	Next    string
}

// Service manages staff members.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New builds the service; now is its clock (time.Now when nil).
func New(s *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// Create adds a staff member (admins only). An address already held by a
// staff member, in any case, is a conflict.
func (s *Service) Create(ctx context.Context, by access.Principal, in Input) (*Member, error) {
	if err := by.RequireAdmin("managing staff"); err != nil {
		return nil, err
	}
	if err := validate.Name("name", in.Name); err != nil {
		return nil, err
	}
	email, err := validate.Email("email", in.Email)
	if err != nil {
		return nil, err
	}
	role := access.Role(in.Role)
	if !access.StaffRole(role) {
		return nil, apperr.Field("role", "role must be admin or coordinator")
	}
	row := &store.Staff{ID: uuid.NewString(), Name: in.Name, Email: email, EmailKey: validate.EmailKey(email),
		Role: string(role), CreatedAt: s.now()}
	if err := s.store.InsertStaff(ctx, row); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, apperr.Errorf(apperr.Conflict, "%s is already a staff member", email)
		}
		return nil, fmt.Errorf("add staff member: %w", err)
	}
	m := memberOf(row)
	return &m, nil
}

// List pages through the staff (admins only), oldest first.
func (s *Service) List(ctx context.Context, by access.Principal, cursor string, limit int) (*Page, error) {
	if err := by.RequireAdmin("managing staff"); err != nil {
		return nil, err
	}
	after, err := keyset.Decode(cursor)
	if err != nil {
		return nil, err
	}
	if limit, err = keyset.Limit(limit); err != nil {
		return nil, err
	}
	rows, err := s.store.StaffAfter(ctx, after.At, after.ID, limit+1)
	if err != nil {
		return nil, err
	}
	page := &Page{Members: make([]Member, 0, len(rows))}
	for i := range rows {
		if i == limit {
			last := rows[i-1]
			page.Next = keyset.Cursor{At: last.CreatedAt, ID: last.ID}.Encode()
			break
		}
		page.Members = append(page.Members, memberOf(&rows[i]))
	}
	return page, nil
}

// Delete removes a staff member (admins only); their signed-in browsers
// are signed out at once. A staff admin cannot remove themselves, so the
// console is never left without the person who was using it by mistake.
func (s *Service) Delete(ctx context.Context, by access.Principal, id string) error {
	if err := by.RequireAdmin("managing staff"); err != nil {
		return err
	}
	if by.StaffID != "" && by.StaffID == id {
		return apperr.Errorf(apperr.Conflict, "you cannot remove yourself; ask another admin")
	}
	if _, err := uuid.Parse(id); err != nil {
		return apperr.Errorf(apperr.NotFound, "no such staff member")
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteStaff(ctx, id) })
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Errorf(apperr.NotFound, "no such staff member")
	}
	return err
}

// Me is the signed-in staff member themselves (for the console's header).
func (s *Service) Me(ctx context.Context, by access.Principal) (*Member, error) {
	if by.StaffID == "" {
		return nil, apperr.Errorf(apperr.NotFound, "the admin token is not a staff member")
	}
	row, err := s.store.StaffMember(ctx, by.StaffID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Errorf(apperr.NotFound, "no such staff member")
	}
	if err != nil {
		return nil, err
	}
	m := memberOf(row)
	return &m, nil
}

func memberOf(r *store.Staff) Member {
	return Member{ID: r.ID, Name: r.Name, Email: r.Email, Role: access.Role(r.Role), CreatedAt: r.CreatedAt}
}
