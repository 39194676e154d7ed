package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
)

// CSRF tokens are bound to the browser's session: the token of a page is
// derived from the session cookie of a signed-in browser, or else from a
// random value of the browser's own (the _csrf cookie). An attacker who
// plants a cookie and a matching form field (the classic double-submit
// weakness) cannot make them agree: the field must be derived from the
// cookie, and a signed-in victim's session value is never known to them.
// Signing in sets a new session cookie and a new _csrf value, so a token
// seen before signing in is dead afterwards; signing out ends both too.

const (
	csrfCookie = "_csrf"
	csrfKey    = "csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	// csrfDomain separates the token from every other digest of the same
	// value (the stored session hash is SHA-256 of the value itself).
	csrfDomain = "rendezvous csrf v1\x00"
)

// sessionCookies are the cookies of a signed-in browser, in order of
// preference; a page's token is bound to the first one present.
var sessionCookies = [...]string{staffCookie, mentorCookie}

// csrfToken is the token of a binding value; it reveals nothing of it.
func csrfToken(binding string) string {
	sum := sha256.Sum256([]byte(csrfDomain + binding))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// csrfBinding is the value the browser's CSRF token is derived from, or
// "" when it holds none yet.
func csrfBinding(c echo.Context) string {
	for _, name := range sessionCookies {
		if ck, err := c.Cookie(name); err == nil && secret.Plausible(ck.Value) {
			return "session:" + ck.Value
		}
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && secret.Plausible(ck.Value) {
		return "browser:" + ck.Value
	}
	return ""
}

// newCSRF checks the token of unsafe requests and gives the page its
// token (in the context under csrfKey).
func (s *Server) newCSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			binding := csrfBinding(c)
			if binding == "" {
				binding = "browser:" + s.newCSRFCookie(c)
			}
			token := csrfToken(binding)
			c.Set(csrfKey, token)
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				return next(c)
			}
			sent := c.Request().Header.Get(csrfHeader)
			if sent == "" {
				sent = c.FormValue(csrfField)
			}
			if sent == "" || !secret.Equal(sent, token) {
				return apperr.Errorf(apperr.Forbidden, "%s", translator(pageLang(c)).T("error.csrf"))
			}
			return next(c)
		}
	}
}

// newCSRFCookie gives the browser a new random CSRF value and returns it.
func (s *Server) newCSRFCookie(c echo.Context) string {
	v := secret.NewToken()
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: v, Path: "/", MaxAge: 86400,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
	return v
}
