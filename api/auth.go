package api

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
)

// Authenticator resolves bearer tokens (admin token or a mentor's token);
// it compares in constant time and never stores tokens in clear.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (access.Principal, error)
}

const principalKey = "principal"

// requireAuth accepts the admin token or a mentor's token.
func (s *Server) requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
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

// requireAdmin refuses mentor tokens (403) on admin-only routes.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireAuth(func(c echo.Context) error {
		if !principal(c).Admin {
			return apperr.Errorf(apperr.Forbidden, "this route needs the admin token")
		}
		return next(c)
	})
}

func principal(c echo.Context) access.Principal {
	p, _ := c.Get(principalKey).(access.Principal)
	return p
}

// mayActFor reports whether the caller may act for mentorID; a mentor's
// token on another mentor's resources gets 403, never data.
func mayActFor(c echo.Context, mentorID string) error {
	if principal(c).MayActFor(mentorID) {
		return nil
	}
	return apperr.Errorf(apperr.Forbidden, "this token cannot act for that mentor")
}
