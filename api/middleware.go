package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// requestLogger logs one structured line per request.
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogRoutePath: true, LogResponseSize: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			logger.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", v.RequestID),
				slog.String("method", v.Method),
				slog.String("path", redactPath(v.RoutePath, v.URIPath)),
				slog.String("route", v.RoutePath),
				slog.Int("status", v.Status),
				slog.Int64("bytes", v.ResponseSize),
				slog.Duration("latency", v.Latency),
				slog.String("remote_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

// redactPath keeps tokens out of logs: routes with a token parameter are
// logged by their pattern, and on paths no route matched (a mistyped link)
// every segment that could be a token is replaced.
func redactPath(route, path string) string {
	for _, p := range []string{":link", ":token", ":feed"} {
		if strings.Contains(route, p) {
			return route
		}
	}
	if route != "" && !strings.Contains(route, "*") {
		return path
	}
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		if looksLikeToken(seg) {
			segments[i] = ":redacted"
		}
	}
	return strings.Join(segments, "/")
}

// looksLikeToken is true for a segment long enough and made only of the
// URL-safe base64 alphabet our tokens use (ids are UUIDs, with dashes at
// fixed places, and stay readable).
func looksLikeToken(seg string) bool {
	seg = strings.TrimSuffix(seg, ".ics")
	if len(seg) < 20 {
		return false
	}
	if len(seg) == 36 && seg[8] == '-' && seg[13] == '-' && seg[18] == '-' && seg[23] == '-' {
		return false
	}
	for _, r := range seg {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '%' || r == '=') {
			return false
		}
	}
	return true
}

// metrics counts requests and their latency by route and status.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rendezvous_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rendezvous_http_request_duration_seconds", Help: "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// middleware counts every request under the status its client got;
// statusOf classifies errors the way the error handler answers them.
func (m *metrics) middleware(statusOf func(echo.Context, error) int) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status = statusOf(c, err)
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			labels := prometheus.Labels{"method": c.Request().Method, "route": route, "status": strconv.Itoa(status)}
			m.requests.With(labels).Inc()
			m.latency.With(labels).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}

// bodyLimit refuses bodies over limit bytes with 413: at once when the
// length is declared, else when reading passes it. (echo's BodyLimit("1M")
// means 1,000,000 bytes, not the MiB the contract says.)
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return apperr.Errorf(apperr.TooLarge, "request body over 1 MiB")
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			return next(c)
		}
	}
}

// handlerTimeout gives every request a deadline shorter than the server's
// write timeout.
func handlerTimeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			orig := c.Request()
			ctx, cancel := context.WithTimeout(orig.Context(), d)
			defer cancel()
			// The error handler runs after this returns: it must see the
			// client's own context, not this one cancelled by defer.
			defer c.SetRequest(orig)
			c.SetRequest(orig.WithContext(ctx))
			return next(c)
		}
	}
}
