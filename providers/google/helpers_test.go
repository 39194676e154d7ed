package google

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	"github.com/rendezvous/rendezvous/providers/google/googlefake"
)

// memStore is an in-memory TokenStore that counts saves.
type memStore struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	saves   int
	failing bool // Save fails while set
}

func (m *memStore) Load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, nil
	}
	t := *m.tok
	return &t, nil
}

func (m *memStore) Save(_ context.Context, t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing {
		return errors.New("store down")
	}
	c := *t
	m.tok, m.saves = &c, m.saves+1
	return nil
}

func (m *memStore) snapshot() (oauth2.Token, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.tok, m.saves
}

// lockingStore adds the cross-process lock, as PostgreSQL would.
type lockingStore struct {
	memStore
	lock sync.Mutex
}

func (l *lockingStore) LockToken(context.Context) (func(), error) {
	l.lock.Lock()
	return l.lock.Unlock, nil
}

// sleepRecorder replaces real sleeping in retries and Meet polling.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays = append(s.delays, d)
	return ctx.Err()
}

func (s *sleepRecorder) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.delays)
}

func oauthConfig(fake *googlefake.Server) OAuthConfig {
	return OAuthConfig{
		ClientID: fake.ClientID, ClientSecret: fake.ClientSecret,
		RedirectURL: "https://rendezvous.example/oauth/google/callback",
		AuthURL:     fake.AuthURL(), TokenURL: fake.TokenURL(),
	}
}

// newTestClient connects to the fake with a fresh token and no real
// sleeping.
func newTestClient(t *testing.T, fake *googlefake.Server) (*Client, *sleepRecorder) {
	t.Helper()
	return clientWithSource(t, fake, oauth2.StaticTokenSource(fake.IssueToken()))
}

func clientWithSource(t *testing.T, fake *googlefake.Server, ts oauth2.TokenSource) (*Client, *sleepRecorder) {
	t.Helper()
	c, err := NewClient(context.Background(), ts, option.WithEndpoint(fake.APIEndpoint()))
	if err != nil {
		t.Fatal(err)
	}
	rec := &sleepRecorder{}
	p := DefaultRetryPolicy()
	p.Sleep = rec.sleep
	return c.WithRetry(p), rec
}

func newFake(t *testing.T) *googlefake.Server {
	t.Helper()
	fake := googlefake.New()
	t.Cleanup(fake.Close)
	return fake
}

// noRedirects is a client that stops at the consent redirect.
func noRedirects(fake *googlefake.Server) *http.Client {
	c := *fake.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func mustUTC(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}
