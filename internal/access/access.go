// Package access resolves bearer tokens to principals and bootstraps the
// admin token. Tokens are stored as SHA-256 hashes and compared in constant
// time; the admin token is printed once, when it is generated.
package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Principal is who a bearer token belongs to.
type Principal struct {
	Admin    bool
	MentorID string
}

// MayActFor reports whether the principal may act for mentorID.
func (p Principal) MayActFor(mentorID string) bool {
	return p.Admin || (p.MentorID != "" && p.MentorID == mentorID)
}

// Service authenticates API callers.
type Service struct {
	store     *store.Store
	adminHash string
}

// New builds the service with the admin token's hash.
func New(s *store.Store, adminHash string) *Service {
	return &Service{store: s, adminHash: adminHash}
}

// Authenticate resolves a bearer token.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	h := secret.HashToken(token)
	if secret.Equal(h, s.adminHash) {
		return Principal{Admin: true}, nil
	}
	// The lookup is by hash: timing reveals nothing about valid tokens.
	m, err := s.store.MentorByTokenHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, apperr.Errorf(apperr.Unauthorized, "invalid token")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return Principal{MentorID: m.ID}, nil
}

// AdminToken settles the admin token at start. A configured token wins
// and its hash is stored; otherwise the stored hash is used, or a new token
// is generated and returned so the caller prints it once. With rotate (the
// demo, which must print a usable token every time), a new token replaces
// any stored one.
func AdminToken(ctx context.Context, s *store.Store, configured string, rotate bool) (hash, newToken string, err error) {
	if configured != "" {
		hash = secret.HashToken(configured)
		return hash, "", s.PutSetting(ctx, store.SettingAdminTokenHash, hash)
	}
	if !rotate {
		stored, err := s.Setting(ctx, store.SettingAdminTokenHash)
		if err == nil {
			return stored, "", nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", "", err
		}
	}
	token := secret.NewToken()
	hash = secret.HashToken(token)
	if rotate {
		return hash, token, s.PutSetting(ctx, store.SettingAdminTokenHash, hash)
	}
	wrote, err := s.PutSettingIfAbsent(ctx, store.SettingAdminTokenHash, hash)
	if err != nil {
		return "", "", err
	}
	if !wrote { // another process generated it first
		stored, err := s.Setting(ctx, store.SettingAdminTokenHash)
		return stored, "", err
	}
	return hash, token, nil
}
