package google

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// expiredToken is a connected account whose access token has lapsed.
func expiredToken(tok *oauth2.Token) *oauth2.Token {
	tok.Expiry = time.Now().Add(-time.Hour)
	return tok
}

func TestTokenSourceRefreshesAndPersists(t *testing.T) {
	fake := newFake(t)
	old := expiredToken(fake.IssueToken())
	store := &memStore{tok: old}
	ts := oauthConfig(fake).TokenSource(store)

	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == old.AccessToken || !tok.Valid() {
		t.Fatalf("not refreshed: %+v", tok)
	}
	saved, saves := store.snapshot()
	if saves != 1 || saved.AccessToken != tok.AccessToken || saved.RefreshToken != old.RefreshToken {
		t.Fatalf("saved %d times: %+v", saves, saved)
	}
	if _, err := ts.Token(); err != nil || fake.RefreshCount() != 1 {
		t.Fatalf("second call refreshed again (%d) or failed: %v", fake.RefreshCount(), err)
	}
	// The refreshed token works against the API.
	client, _ := clientWithSource(t, fake, ts)
	if _, err := client.Calendars(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTokenSourceKeepsRotatedRefreshToken(t *testing.T) {
	fake := newFake(t)
	fake.RotateRefreshTokens(true)
	old := expiredToken(fake.IssueToken())
	store := &memStore{tok: old}
	if _, err := oauthConfig(fake).TokenSource(store).Token(); err != nil {
		t.Fatal(err)
	}
	saved, _ := store.snapshot()
	if saved.RefreshToken == "" || saved.RefreshToken == old.RefreshToken {
		t.Fatalf("rotated refresh token not saved: %q", saved.RefreshToken)
	}
}

func TestTokenSourcesSharingAStoreRefreshOnce(t *testing.T) {
	fake := newFake(t)
	store := &memStore{tok: expiredToken(fake.IssueToken())}
	a := oauthConfig(fake).TokenSource(store)
	b := oauthConfig(fake).TokenSource(store)
	ta, err := a.Token()
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token()
	if err != nil {
		t.Fatal(err)
	}
	if fake.RefreshCount() != 1 || ta.AccessToken != tb.AccessToken {
		t.Fatalf("refreshes = %d; second process did not reuse the stored token", fake.RefreshCount())
	}
}

func TestConcurrentRefreshesWithLockHappenOnce(t *testing.T) {
	fake := newFake(t)
	fake.RotateRefreshTokens(true)
	store := &lockingStore{}
	store.tok = expiredToken(fake.IssueToken())
	sources := []*TokenSource{oauthConfig(fake).TokenSource(store), oauthConfig(fake).TokenSource(store)}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := sources[i%2].Token(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	saved, _ := store.snapshot()
	if fake.RefreshCount() != 1 || saved.RefreshToken == "" {
		t.Fatalf("refreshes = %d, refresh token %q", fake.RefreshCount(), saved.RefreshToken)
	}
}

func TestRevokedTokenIsInvalidGrant(t *testing.T) {
	fake := newFake(t)
	tok := expiredToken(fake.IssueToken())
	fake.Revoke(tok.RefreshToken)
	ts := oauthConfig(fake).TokenSource(&memStore{tok: tok})
	if _, err := ts.Token(); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("Token: %v, want ErrInvalidGrant", err)
	}
	// Through the API client the sentinel survives the HTTP transport.
	client, _ := clientWithSource(t, fake, ts)
	_, err := client.Calendars(context.Background())
	if !errors.Is(err, ErrInvalidGrant) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Calendars: %v, want only ErrInvalidGrant", err)
	}
}

func TestRevokedAccessTokenIsUnauthorized(t *testing.T) {
	fake := newFake(t)
	tok := fake.IssueToken()
	fake.Revoke(tok.RefreshToken)
	client, _ := clientWithSource(t, fake, oauth2.StaticTokenSource(tok))
	if _, err := client.Calendars(context.Background()); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
}

func TestUnsavedRefreshIsNotUsedUntilSaved(t *testing.T) {
	fake := newFake(t)
	store := &memStore{tok: expiredToken(fake.IssueToken()), failing: true}
	ts := oauthConfig(fake).TokenSource(store)
	if _, err := ts.Token(); err == nil {
		t.Fatal("token handed out although it could not be saved")
	}
	store.mu.Lock()
	store.failing = false
	store.mu.Unlock()
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := store.snapshot()
	if saved.AccessToken != tok.AccessToken || fake.RefreshCount() != 1 {
		t.Fatalf("saved %q, refreshes %d", saved.AccessToken, fake.RefreshCount())
	}
}
