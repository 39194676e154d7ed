package google

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// consent follows AuthCodeURL through the fake's consent screen and
// returns the callback's query.
func consent(t *testing.T, cfg OAuthConfig, client *http.Client, state, verifier string) url.Values {
	t.Helper()
	resp, err := client.Get(cfg.AuthCodeURL(state, verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), cfg.RedirectURL) {
		t.Fatalf("redirected to %s", loc)
	}
	return loc.Query()
}

func TestAuthCodeURLAsksForOfflinePKCEAndMinimalScopes(t *testing.T) {
	cfg := OAuthConfig{ClientID: "id", RedirectURL: "https://x.example/cb"}
	u, err := url.Parse(cfg.AuthCodeURL("st", NewVerifier()))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if !strings.HasPrefix(u.String(), GoogleAuthURL) {
		t.Errorf("default auth URL not Google's: %s", u)
	}
	for k, want := range map[string]string{"access_type": "offline", "prompt": "consent", "code_challenge_method": "S256", "state": "st", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" {
		t.Error("no code_challenge")
	}
	if got := strings.Fields(q.Get("scope")); !slices.Equal(got, Scopes()) {
		t.Errorf("scopes %v", got)
	}
}

func TestOAuthRoundTripThenReusedCode(t *testing.T) {
	fake := newFake(t)
	cfg := oauthConfig(fake)
	verifier := NewVerifier()
	cb := consent(t, cfg, noRedirects(fake), "state-1", verifier)
	if cb.Get("state") != "state-1" || cb.Get("code") == "" {
		t.Fatalf("callback %v", cb)
	}
	ctx := context.Background()
	tok, err := cfg.Exchange(ctx, cb.Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("incomplete token %+v", tok)
	}
	client, _ := clientWithSource(t, fake, oauth2.StaticTokenSource(tok))
	if cals, err := client.Calendars(ctx); err != nil || len(cals) != 1 {
		t.Fatalf("calendars with the new token: %v %v", cals, err)
	}
	if _, err := cfg.Exchange(ctx, cb.Get("code"), verifier); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("reused code: %v, want ErrInvalidGrant", err)
	}
}

func TestExchangeRejectsWrongVerifier(t *testing.T) {
	fake := newFake(t)
	cfg := oauthConfig(fake)
	cb := consent(t, cfg, noRedirects(fake), "s", NewVerifier())
	if _, err := cfg.Exchange(context.Background(), cb.Get("code"), NewVerifier()); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("got %v, want ErrInvalidGrant", err)
	}
}

func TestConsentDeniedComesBackAsAccessDenied(t *testing.T) {
	fake := newFake(t)
	fake.DenyConsent(true)
	cb := consent(t, oauthConfig(fake), noRedirects(fake), "s", NewVerifier())
	if cb.Get("error") != "access_denied" || cb.Get("state") != "s" || cb.Has("code") {
		t.Fatalf("callback %v", cb)
	}
}

func TestExchangeRefusesUntickedPermissions(t *testing.T) {
	fake := newFake(t)
	fake.GrantOnly([]string{"https://www.googleapis.com/auth/calendar.calendarlist.readonly"})
	cfg := oauthConfig(fake)
	verifier := NewVerifier()
	cb := consent(t, cfg, noRedirects(fake), "s", verifier)
	_, err := cfg.Exchange(context.Background(), cb.Get("code"), verifier)
	if !errors.Is(err, ErrScopesDenied) || !strings.Contains(err.Error(), "calendar.events") {
		t.Fatalf("got %v, want ErrScopesDenied naming calendar.events", err)
	}
}
