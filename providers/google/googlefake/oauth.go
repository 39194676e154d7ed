package googlefake

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// accessTTL is what Google gives: expires_in 3599.
const accessTTL = 3599 * time.Second

type oauthState struct {
	deny          bool
	grantedScopes []string // nil: grant what was asked
	rotate        bool
	refreshes     int
	codes         map[string]*authCode
	refresh       map[string]*grant // by refresh token
	access        map[string]accessToken
}

type authCode struct {
	clientID, redirectURI string
	challenge             string
	scopes                []string
	offline, used         bool
	expires               time.Time
}

type grant struct {
	scopes  []string
	revoked bool
}

type accessToken struct {
	grant   *grant
	expires time.Time
}

func newOAuthState() oauthState {
	return oauthState{codes: map[string]*authCode{}, refresh: map[string]*grant{}, access: map[string]accessToken{}}
}

func (o *oauthState) validAccess(tok string, now time.Time) bool {
	at, ok := o.access[tok]
	return ok && !at.grant.revoked && now.Before(at.expires)
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// DenyConsent makes /authorize answer as if the user clicked "Cancel".
func (s *Server) DenyConsent(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.deny = deny
}

// GrantOnly makes the consent screen grant only these scopes, as when the
// user unticks permissions. Nil restores "grant everything asked".
func (s *Server) GrantOnly(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.grantedScopes = scopes
}

// RotateRefreshTokens makes refresh grants return a new refresh token
// (the old one keeps working, as with Google).
func (s *Server) RotateRefreshTokens(rotate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.rotate = rotate
}

// Revoke revokes a refresh token and the access tokens issued from it,
// as the user removing the app's access: refreshes then answer
// invalid_grant and API calls 401.
func (s *Server) Revoke(refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.oauth.refresh[refreshToken]; g != nil {
		g.revoked = true
	}
}

// Revoked reports whether the grant of a refresh token was revoked.
func (s *Server) Revoked(refreshToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.oauth.refresh[refreshToken]
	return g != nil && g.revoked
}

// handleRevoke is Google's revocation endpoint: a refresh or an access
// token revokes its whole grant; an unknown one is 400 invalid_token.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Bad Request")
		return
	}
	tok := r.Form.Get("token")
	g := s.oauth.refresh[tok]
	if at, ok := s.oauth.access[tok]; ok && g == nil {
		g = at.grant
	}
	if g == nil {
		tokenError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
		return
	}
	g.revoked = true
	w.WriteHeader(http.StatusOK)
}

// ExpireAccessTokens makes every access token issued so far expired.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, at := range s.oauth.access {
		at.expires = time.Time{}
		s.oauth.access[k] = at
	}
}

// RefreshCount is the number of successful refresh_token grants.
func (s *Server) RefreshCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.refreshes
}

// IssueToken mints a token as a completed consent would (all scopes,
// offline), for tests that start from a connected account.
func (s *Server) IssueToken() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &grant{scopes: strings.Fields(allScopes)}
	rt := randomToken("1//fake-refresh-")
	s.oauth.refresh[rt] = g
	at, exp := s.issueAccess(g)
	return &oauth2.Token{AccessToken: at, TokenType: "Bearer", RefreshToken: rt, Expiry: exp}
}

const allScopes = "https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy"

func (s *Server) issueAccess(g *grant) (string, time.Time) {
	tok := randomToken("ya29.fake-")
	exp := time.Now().Add(accessTTL)
	s.oauth.access[tok] = accessToken{grant: g, expires: exp}
	return tok, exp
}

// handleAuthorize is the consent screen, auto-approved (or denied).
// Problems Google shows on its own page (bad client, bad request) are
// plain 400s; the user's answer goes back to redirect_uri.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.ClientID:
		http.Error(w, "Error 401: invalid_client", http.StatusUnauthorized)
		return
	case err != nil || !redirect.IsAbs():
		http.Error(w, "Error 400: redirect_uri_mismatch", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("scope") == "":
		http.Error(w, "Error 400: invalid_request", http.StatusBadRequest)
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		http.Error(w, "Error 400: invalid_request (code_challenge_method)", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if s.oauth.deny {
		back.Set("error", "access_denied")
	} else {
		scopes := strings.Fields(q.Get("scope"))
		if s.oauth.grantedScopes != nil {
			scopes = s.oauth.grantedScopes
		}
		code := randomToken("4/fake-code-")
		s.oauth.codes[code] = &authCode{
			clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), scopes: scopes,
			offline: q.Get("access_type") == "offline",
			expires: time.Now().Add(10 * time.Minute),
		}
		back.Set("code", code)
		back.Set("scope", strings.Join(scopes, " "))
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// handleToken is the token endpoint: authorization_code (with PKCE) and
// refresh_token grants, answering in RFC 6749's JSON error format.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Bad Request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "Unauthorized")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.exchangeCode(w, r.PostForm)
	case "refresh_token":
		s.refreshGrant(w, r.PostForm)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
	}
}

func (s *Server) exchangeCode(w http.ResponseWriter, form url.Values) {
	code := s.oauth.codes[form.Get("code")]
	switch {
	case code == nil || code.used || time.Now().After(code.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
		return
	case code.redirectURI != form.Get("redirect_uri"):
		tokenError(w, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request")
		return
	case code.challenge != "" && !pkceMatches(code.challenge, form.Get("code_verifier")):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Invalid code verifier.")
		return
	}
	code.used = true
	g := &grant{scopes: code.scopes}
	at, _ := s.issueAccess(g)
	body := map[string]any{
		"access_token": at, "expires_in": int(accessTTL / time.Second),
		"scope": strings.Join(code.scopes, " "), "token_type": "Bearer",
	}
	if code.offline {
		rt := randomToken("1//fake-refresh-")
		s.oauth.refresh[rt] = g
		body["refresh_token"] = rt
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) refreshGrant(w http.ResponseWriter, form url.Values) {
	g := s.oauth.refresh[form.Get("refresh_token")]
	if g == nil || g.revoked {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
		return
	}
	s.oauth.refreshes++
	at, _ := s.issueAccess(g)
	body := map[string]any{
		"access_token": at, "expires_in": int(accessTTL / time.Second),
		"scope": strings.Join(g.scopes, " "), "token_type": "Bearer",
	}
	if s.oauth.rotate {
		rt := randomToken("1//fake-refresh-")
		s.oauth.refresh[rt] = g
		body["refresh_token"] = rt
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func pkceMatches(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}
