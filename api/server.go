// Package api is Rendezvous' HTTP surface: JSON handlers under /api/v1,
// the web pages, feeds and operations endpoints. Handlers parse input, call
// the services and map their errors to problem+json; business rules live in
// the services.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
)

// Database is what the HTTP layer asks of the database: readiness, and
// whether an error means it is unavailable for now (answered 503).
type Database interface {
	Ping(ctx context.Context) error
	Unavailable(err error) bool
}

// HandlerTimeout bounds every request's work: the server's write timeout
// is longer, so a slow success is still answered instead of being cut off
// (a client that sees a closed connection retries and duplicates).
const HandlerTimeout = 45 * time.Second

// WriteTimeout is the http.Server write timeout that goes with
// HandlerTimeout.
const WriteTimeout = HandlerTimeout + 15*time.Second

// maxBody is the 1 MiB the contract allows a request body.
const maxBody = 1 << 20

// Deps is what the HTTP layer needs from the rest of the program.
type Deps struct {
	Logger  *slog.Logger
	DB      Database
	BaseURL *url.URL
	Links   links.Links
	Auth    Authenticator
	// The services (see services.go); all are required.
	Mentoring  Mentoring
	Booking    Booking
	Calendars  Calendars
	Signin     Signin
	Staff      Staff
	Console    Console
	Webhooks   Webhooks
	Statements Statements
	// GoogleConsentOrigin is where the "connect Google" form is
	// redirected (Google's consent page, or its stand-in); pages allow it
	// as a form target. Empty without a Google client.
	GoogleConsentOrigin string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; empty means the socket address is the client's.
	TrustedProxies []netip.Prefix
	// RateLimit is requests per client address per minute on routes whose
	// tokens could be guessed; 0 turns limiting off.
	RateLimit int
}

// Server holds the echo instance and the dependencies of the handlers.
type Server struct {
	Deps
	echo       *echo.Echo
	metrics    *metrics
	logger     *slog.Logger
	pageErrors func(echo.Context, Problem) bool
	limiter    echo.MiddlewareFunc
	web        *webPages
	openAPI    []byte // the served description (openapi.go)
	// slotBuffers recycles the buffers slot answers are written in (the
	// most requested answer, tens of kilobytes each).
	slotBuffers *sync.Pool
}

// New builds the server and its route table.
func New(d Deps) *Server {
	s := &Server{Deps: d, echo: echo.New(), metrics: newMetrics(), logger: d.Logger, slotBuffers: &sync.Pool{}}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = clientAddress(d.TrustedProxies)
	e.Use(middleware.RequestID())
	e.Use(requestLogger(d.Logger))
	e.Use(s.metrics.middleware(func(c echo.Context, err error) int { return s.problemOf(c, err).Status }))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		d.Logger.Error("panic", slog.String("request_id", requestID(c)), slog.Any("error", err), slog.String("stack", string(stack)))
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}}))
	e.Use(bodyLimit(maxBody))
	e.Use(handlerTimeout(HandlerTimeout))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "same-origin",
	}))
	s.limiter = rateLimiter(d.RateLimit)
	s.openAPI = mustOpenAPI(d.BaseURL)
	s.setupPages()
	s.routes()
	return s
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router for wiring extra routes (pages, OAuth callbacks).
func (s *Server) Echo() *echo.Echo { return s.echo }

// RateLimited wraps routes whose tokens a client could try to guess.
func (s *Server) RateLimited() echo.MiddlewareFunc { return s.limiter }

func rateLimiter(perMinute int) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(perMinute) / 60), Burst: perMinute, ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return apperr.Errorf(apperr.RateLimited, "too many requests from your address; try again in a minute")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return apperr.Wrap(apperr.Forbidden, err, "cannot identify the client address")
		},
	})
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.DB.Ping(c.Request().Context()); err != nil {
		s.logger.Warn("readiness: database unreachable", slog.Any("error", err))
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
