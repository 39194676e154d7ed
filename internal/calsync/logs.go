package calsync

import (
	"log/slog"
	"sync"
	"time"
)

// logGate rate-limits warnings per connection and cause: a calendar that
// fails, or holds broken events, the same way at every sync says so once
// an hour, with the count of what was not logged meanwhile. (One line per
// skipped event once made 2,000,004 lines in 90 seconds.) Connections and
// calendars show their state anyway; the log is for the operator.
type logGate struct {
	period time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[gateKey]*gateEntry
}

type gateKey struct{ connection, cause string }

type gateEntry struct {
	last       time.Time
	suppressed int
}

// logPeriod is how often one cause of one connection may be logged.
const logPeriod = time.Hour

// maxGateEntries bounds the gate's memory; past it, entries older than a
// period are dropped.
const maxGateEntries = 10_000

func newLogGate(now func() time.Time) *logGate {
	return &logGate{period: logPeriod, now: now, seen: map[gateKey]*gateEntry{}}
}

// allow reports whether a line for (connection, cause) may be logged now,
// and how many were held back since the last one.
func (g *logGate) allow(connection, cause string) (ok bool, suppressed int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	k := gateKey{connection, cause}
	e := g.seen[k]
	if e != nil && now.Sub(e.last) < g.period {
		e.suppressed++
		return false, 0
	}
	if e == nil {
		if len(g.seen) >= maxGateEntries {
			g.prune(now)
		}
		e = &gateEntry{}
		g.seen[k] = e
	}
	suppressed, e.suppressed, e.last = e.suppressed, 0, now
	return true, suppressed
}

func (g *logGate) prune(now time.Time) {
	for k, e := range g.seen {
		if now.Sub(e.last) >= g.period {
			delete(g.seen, k)
		}
	}
}

// warn logs a warning about a connection unless the gate holds it back;
// the line says how many like it were held back.
func (s *Service) warn(connection, cause string, attrs ...any) {
	ok, suppressed := s.logs.allow(connection, cause)
	if !ok {
		return
	}
	attrs = append(attrs, slog.String("connection", connection))
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("suppressed_since_last", suppressed))
	}
	s.Logger.Warn(cause, attrs...)
}
