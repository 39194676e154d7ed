package google

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenStore is where a connection's OAuth token lives (encrypted by the
// core). Load returns nil, nil when nothing is stored.
type TokenStore interface {
	Load(ctx context.Context) (*oauth2.Token, error)
	Save(ctx context.Context, tok *oauth2.Token) error
}

// TokenLocker may be implemented by a TokenStore to serialise refreshes
// across processes (e.g. a PostgreSQL advisory lock). Without it, two
// processes may both refresh; that is harmless with Google but costs a
// request, and the refresh token is never lost either way.
type TokenLocker interface {
	LockToken(ctx context.Context) (unlock func(), err error)
}

// refreshTimeout bounds one load-refresh-save round. Token() has no
// context of its own, and a request's context must never be kept.
const refreshTimeout = 30 * time.Second

// earlyExpiry refreshes a little before Google's deadline so that a token
// does not expire in the middle of a paged listing.
const earlyExpiry = time.Minute

// TokenSource is an oauth2.TokenSource that reloads, refreshes and
// persists a connection's token. It is safe for concurrent use.
type TokenSource struct {
	cfg   OAuthConfig
	store TokenStore

	mu      sync.Mutex
	tok     *oauth2.Token
	unsaved bool // tok was refreshed but Save failed: retry before use
}

// TokenSource returns a persisting token source over store. Nothing is
// loaded until the first Token call.
func (c OAuthConfig) TokenSource(store TokenStore) *TokenSource {
	return &TokenSource{cfg: c, store: store}
}

// Token returns a valid access token, refreshing it when needed.
// ErrInvalidGrant means the mentor must reconnect.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()

	if !fresh(ts.tok) {
		if err := ts.refresh(ctx); err != nil {
			return nil, err
		}
	}
	if ts.unsaved {
		// A token that is not persisted could carry a rotated refresh
		// token we would lose on restart: do not hand it out.
		if err := ts.store.Save(ctx, ts.tok); err != nil {
			return nil, fmt.Errorf("google: save refreshed token: %w", err)
		}
		ts.unsaved = false
	}
	return cloneToken(ts.tok), nil
}

// refresh reloads the stored token (another process may have refreshed
// it already) and only asks Google when that is not fresh either.
func (ts *TokenSource) refresh(ctx context.Context) error {
	if locker, ok := ts.store.(TokenLocker); ok {
		unlock, err := locker.LockToken(ctx)
		if err != nil {
			return fmt.Errorf("google: lock token: %w", err)
		}
		defer unlock()
	}
	if err := ts.reload(ctx); err != nil {
		return err
	}
	if fresh(ts.tok) {
		return nil
	}
	used := ts.refreshToken()
	err := ts.exchangeRefresh(ctx, used)
	if errors.Is(err, ErrInvalidGrant) {
		// Another process may have rotated the refresh token between our
		// load and our refresh: try once more with the stored one.
		if rerr := ts.reload(ctx); rerr != nil {
			return rerr
		}
		if fresh(ts.tok) {
			return nil
		}
		if rt := ts.refreshToken(); rt != used {
			err = ts.exchangeRefresh(ctx, rt)
		}
	}
	return err
}

// reload merges the stored token into memory. The stored one wins unless
// ours is newer and not yet saved.
func (ts *TokenSource) reload(ctx context.Context) error {
	stored, err := ts.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("google: load token: %w", err)
	}
	if stored == nil || ts.unsaved {
		return nil
	}
	merged := cloneToken(stored)
	if merged.RefreshToken == "" && ts.tok != nil {
		merged.RefreshToken = ts.tok.RefreshToken
	}
	ts.tok = merged
	return nil
}

func (ts *TokenSource) refreshToken() string {
	if ts.tok == nil {
		return ""
	}
	return ts.tok.RefreshToken
}

// exchangeRefresh runs the refresh_token grant and persists the result.
func (ts *TokenSource) exchangeRefresh(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return fmt.Errorf("google: refresh token: none stored: %w", ErrInvalidGrant)
	}
	src := ts.cfg.oauth2().TokenSource(ts.cfg.withClient(ctx), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := src.Token()
	if err != nil {
		return classify("google: refresh token", err)
	}
	// Google usually omits refresh_token on refresh; when it rotates it,
	// the new one must be kept.
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	ts.tok, ts.unsaved = tok, true
	if err := ts.store.Save(ctx, tok); err != nil {
		return fmt.Errorf("google: save refreshed token: %w", err)
	}
	ts.unsaved = false
	return nil
}

func fresh(t *oauth2.Token) bool {
	return t != nil && t.AccessToken != "" &&
		(t.Expiry.IsZero() || time.Until(t.Expiry) > earlyExpiry)
}

// cloneToken copies the fields we persist, so callers cannot mutate ours.
func cloneToken(t *oauth2.Token) *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
		ExpiresIn:    t.ExpiresIn,
	}
}
