package google

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
	calendarapi "google.golang.org/api/calendar/v3"
)

// GoogleRevokeURL is Google's token revocation endpoint.
const GoogleRevokeURL = "https://oauth2.googleapis.com/revoke"

// Revoke asks Google to revoke a token, and with it the whole grant, so
// that disconnecting a calendar ends the access on Google's side too
// ("Third-party apps with account access" no longer lists us). The
// endpoint is the token endpoint's origin with the path /revoke, as
// Google's own are, so an overridden token endpoint gets it as well. A
// token Google no longer knows (already revoked) is not an error.
func (c OAuthConfig) Revoke(ctx context.Context, token string) error {
	endpoint := GoogleRevokeURL
	if c.TokenURL != "" {
		u, err := url.Parse(c.TokenURL)
		if err != nil {
			return fmt.Errorf("google: revoke: token URL: %w", err)
		}
		u.Path, u.RawQuery = "/revoke", ""
		endpoint = u.String()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("google: revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := c.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("google: revoke: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusBadRequest && strings.Contains(string(body), "invalid_token"):
		return nil
	}
	return fmt.Errorf("google: revoke: %s: %s", res.Status, strings.TrimSpace(string(body)))
}

// Scopes returns the OAuth scopes requested on the consent screen: the
// least Rendezvous needs. Read the calendar list, read and write events
// (busy time, write-back, watch) and free/busy.
func Scopes() []string {
	return []string{
		calendarapi.CalendarCalendarlistReadonlyScope,
		calendarapi.CalendarEventsScope,
		calendarapi.CalendarFreebusyScope,
	}
}

// essentialScopes must be granted for a connection to work. Free/busy is
// requested but not essential: busy time comes from events.list.
func essentialScopes() []string {
	return []string{calendarapi.CalendarCalendarlistReadonlyScope, calendarapi.CalendarEventsScope}
}

// Google's production OAuth endpoints (the same as
// golang.org/x/oauth2/endpoints.Google).
const (
	GoogleAuthURL  = "https://accounts.google.com/o/oauth2/auth"
	GoogleTokenURL = "https://oauth2.googleapis.com/token"
)

// OAuthConfig is the Google OAuth client. AuthURL and TokenURL default to
// Google's; tests point them at googlefake.
type OAuthConfig struct {
	ClientID, ClientSecret, RedirectURL string
	AuthURL, TokenURL                   string
	// HTTPClient, when set, carries token-endpoint requests (proxies,
	// tests). Nil means http.DefaultClient.
	HTTPClient *http.Client
}

// withClient puts the configured HTTP client where x/oauth2 looks for it.
func (c OAuthConfig) withClient(ctx context.Context) context.Context {
	if c.HTTPClient == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, c.HTTPClient)
}

func (c OAuthConfig) oauth2() *oauth2.Config {
	endpoint := oauth2.Endpoint{
		AuthURL:  c.AuthURL,
		TokenURL: c.TokenURL,
		// Google accepts both; fixing the style avoids x/oauth2 probing
		// with a failed request first.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	if endpoint.AuthURL == "" {
		endpoint.AuthURL = GoogleAuthURL
	}
	if endpoint.TokenURL == "" {
		endpoint.TokenURL = GoogleTokenURL
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURL,
		Endpoint:     endpoint,
		Scopes:       Scopes(),
	}
}

// NewVerifier returns a fresh PKCE code verifier. Keep it server-side with
// the state until the callback.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// AuthCodeURL is the consent-screen URL. access_type=offline gets a refresh
// token; prompt=consent makes Google issue one again on a reconnect (it
// otherwise only does so on the very first consent).
func (c OAuthConfig) AuthCodeURL(state, verifier string) string {
	return c.oauth2().AuthCodeURL(state,
		oauth2.AccessTypeOffline,
		oauth2.SetAuthURLParam("prompt", "consent"),
		oauth2.S256ChallengeOption(verifier),
	)
}

// Exchange trades the callback's code for a token. A reused, expired or
// forged code (or a wrong verifier) is ErrInvalidGrant. A token without a
// refresh token or without the permissions we need is refused, so that
// nothing half-working gets stored.
func (c OAuthConfig) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	tok, err := c.oauth2().Exchange(c.withClient(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, classify("google: exchange code", err)
	}
	if tok.RefreshToken == "" {
		return nil, fmt.Errorf("google: exchange code: no refresh token issued (offline access refused): %w", ErrScopesDenied)
	}
	if missing := MissingScopes(tok); len(missing) > 0 {
		return nil, fmt.Errorf("google: exchange code: %w: %s", ErrScopesDenied, strings.Join(missing, " "))
	}
	return tok, nil
}

// MissingScopes lists essential scopes absent from the token's granted
// "scope" field. Google's consent screen lets users untick permissions
// one by one. A token that does not report its scopes is trusted.
func MissingScopes(tok *oauth2.Token) []string {
	granted, _ := tok.Extra("scope").(string)
	if granted == "" {
		return nil
	}
	have := strings.Fields(granted)
	var missing []string
	// The full calendar scope implies both, for clients granted it before.
	if slices.Contains(have, calendarapi.CalendarScope) {
		return nil
	}
	for _, s := range essentialScopes() {
		if !slices.Contains(have, s) {
			missing = append(missing, s)
		}
	}
	return missing
}
