package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Authenticate resolves a bearer token: the admin token, or a mentor's.
// Tokens are stored as SHA-256 hashes and compared in constant time.
func (s *Service) Authenticate(ctx context.Context, token string) (access.Principal, error) {
	h := secret.HashToken(token)
	if s.AdminHash != "" && secret.Equal(h, s.AdminHash) {
		return access.AdminToken(), nil
	}
	// The lookup is by hash: timing reveals nothing about valid tokens.
	m, err := s.store.MentorByTokenHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return access.Principal{}, apperr.Errorf(apperr.Unauthorized, "invalid token")
	}
	if err != nil {
		return access.Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return access.Mentor(m.ID), nil
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
