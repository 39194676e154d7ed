package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
)

// Authenticator establishes who calls: a bearer token (the admin token or
// a mentor's), or a browser signed in through a mailed link. Tokens are
// compared in constant time and never stored in clear. What the caller
// may do is for the services to decide.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (access.Principal, error)
	// MentorSession resolves a mentor-area cookie; ok is false for an
	// unknown, expired or ended session.
	MentorSession(ctx context.Context, value string) (p access.Principal, ok bool, err error)
	// StaffSession resolves a console cookie likewise, with the staff
	// member's role.
	StaffSession(ctx context.Context, value string) (p access.Principal, ok bool, err error)
}

const principalKey = "principal"

// authenticated establishes the caller of an API route from the bearer
// token, or else from the browser's signed-in session (whose unsafe
// requests must then carry the page's CSRF token, as forms do). Without
// either it answers 401; it never decides access.
func (s *Server) authenticated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			p, ok, err := s.browserPrincipal(c)
			if err != nil {
				return err
			}
			if ok {
				c.Set(principalKey, p)
				return s.web.csrf(next)(c)
			}
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="rendezvous"`)
			return apperr.Errorf(apperr.Unauthorized, "missing bearer token")
		}
		p, err := s.Auth.Authenticate(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="rendezvous", error="invalid_token"`)
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// browserPrincipal is the principal of the browser's signed-in session,
// if any: the console's (staff) before the mentor area's, for a browser
// signed in to both.
func (s *Server) browserPrincipal(c echo.Context) (access.Principal, bool, error) {
	p, ok, err := s.staffPrincipal(c)
	if err != nil || ok {
		return p, ok, err
	}
	return s.mentorPrincipal(c)
}

// mentorPrincipal is the principal of the browser's mentor-area session.
func (s *Server) mentorPrincipal(c echo.Context) (access.Principal, bool, error) {
	ck, err := c.Cookie(mentorCookie)
	if err != nil {
		return access.Principal{}, false, nil
	}
	return s.Auth.MentorSession(c.Request().Context(), ck.Value)
}

// staffPrincipal is the principal of the browser's console session.
func (s *Server) staffPrincipal(c echo.Context) (access.Principal, bool, error) {
	ck, err := c.Cookie(staffCookie)
	if err != nil {
		return access.Principal{}, false, nil
	}
	return s.Auth.StaffSession(c.Request().Context(), ck.Value)
}

// principal is the caller that authenticated or a page's session
// established; the zero Principal (nobody) otherwise.
func principal(c echo.Context) access.Principal {
	p, _ := c.Get(principalKey).(access.Principal)
	return p
}

// sessionCookie is a signed-in browser's cookie: sent to every path, so
// that the API answers a signed-in browser as it answers a token.
func (s *Server) sessionCookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()}
}
