package ical

import (
	"fmt"
	"io"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// Feed is a mentor's subscribable calendar.
type Feed struct {
	Name string
	// RefreshInterval is the polling interval suggested to subscribers
	// (REFRESH-INTERVAL and X-PUBLISHED-TTL); zero leaves both out.
	RefreshInterval time.Duration
	// Sessions are written in the given order; cancelled ones stay in the
	// feed with STATUS:CANCELLED so that subscribers drop them.
	Sessions []calendar.Session
}

// EncodeFeed renders a mentor's subscription feed. It carries no METHOD:
// some clients treat a METHOD:PUBLISH feed as an import rather than a
// subscription. Events carry no alarm, so that subscribing to a feed does not
// add reminders the mentor never asked for.
func EncodeFeed(f Feed) ([]byte, error) {
	events, err := EncodeFeedEvents(f.Sessions)
	if err != nil {
		return nil, fmt.Errorf("encode feed: %w", err)
	}
	w := NewFeedWriter(f.Name, f.RefreshInterval)
	w.AddEvents(events)
	return w.Bytes(), nil
}

// FeedWriter assembles a feed from runs of events, so that a caller can
// encode sessions while it is still reading them, on several goroutines.
// It keeps the feed in chunks rather than one growing buffer: a feed of
// thousands of sessions is megabytes, and doubling a buffer that size
// copies and discards it again and again.
type FeedWriter struct {
	w      *icsWriter
	chunks [][]byte
	size   int
	done   bool
}

// NewFeedWriter starts a feed with the given name and refresh interval
// (as in Feed).
func NewFeedWriter(name string, refresh time.Duration) *FeedWriter {
	w := newCalendarWriter(0)
	if name != "" {
		w.text("X-WR-CALNAME", name)
		w.text("NAME", name) // RFC 7986 spelling of the same
	}
	if refresh > 0 {
		ttl := formatDuration(refresh)
		w.begin("REFRESH-INTERVAL")
		w.bareParam("VALUE", "DURATION")
		w.line = append(w.line, ':')
		w.line = append(w.line, ttl...)
		w.finish()
		w.raw("X-PUBLISHED-TTL", ttl)
	}
	return &FeedWriter{w: w}
}

// FeedEvents is a run of sessions encoded for a feed on their own, so that
// several goroutines can encode parts of one feed; FeedWriter.AddEvents
// puts them in place.
type FeedEvents struct{ data []byte }

// EncodeFeedEvents encodes sessions as a run of a feed's events.
func EncodeFeedEvents(sessions []calendar.Session) (FeedEvents, error) {
	w := &icsWriter{out: make([]byte, 0, 512+len(sessions)*1100), line: make([]byte, 0, 256)}
	for i := range sessions {
		if err := validateSession(sessions[i]); err != nil {
			return FeedEvents{}, fmt.Errorf("session %d: %w", i, err)
		}
		if sessions[i].Series != nil {
			return FeedEvents{}, fmt.Errorf("session %d: %w: a series goes in EncodeFeedSeries", i, ErrInvalidSession)
		}
		w.event(sessions[i], sessions[i].Cancelled, false, false)
	}
	return FeedEvents{data: w.out}, nil
}

// EncodeFeedSeries encodes weekly series as a run of a feed: one
// VTIMEZONE per zone, then each series' master and overrides.
func EncodeFeedSeries(series []calendar.Session) (FeedEvents, error) {
	w := &icsWriter{out: make([]byte, 0, 4096+len(series)*2048), line: make([]byte, 0, 256)}
	type span struct {
		loc      *time.Location
		from, to time.Time
	}
	zones := map[string]*span{}
	var order []string
	for i, s := range series {
		if s.Series == nil {
			return FeedEvents{}, fmt.Errorf("series %d: %w: not a series", i, ErrInvalidSession)
		}
		if err := validateSession(s); err != nil {
			return FeedEvents{}, fmt.Errorf("series %d: %w", i, err)
		}
		loc, err := seriesZone(s.Series)
		if err != nil {
			return FeedEvents{}, fmt.Errorf("series %d: %w", i, err)
		}
		from, to := seriesSpan(s.Series)
		z, ok := zones[loc.String()]
		if !ok {
			z = &span{loc: loc, from: from, to: to}
			zones[loc.String()] = z
			order = append(order, loc.String())
		}
		z.from, z.to = minTime(z.from, from), maxTime(z.to, to)
	}
	for _, name := range order {
		z := zones[name]
		w.vtimezone(z.loc, z.from, z.to)
	}
	for _, s := range series {
		if err := w.seriesEvents(s, s.Cancelled, false, false); err != nil {
			return FeedEvents{}, err
		}
	}
	return FeedEvents{data: w.out}, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// AddEvents appends a run of events after those added before.
func (f *FeedWriter) AddEvents(e FeedEvents) {
	if len(e.data) == 0 {
		return
	}
	f.flush()
	f.chunks = append(f.chunks, e.data)
	f.size += len(e.data)
	f.w.out = nil // what follows is small: the next run, or the end
}

func (f *FeedWriter) flush() {
	if len(f.w.out) > 0 {
		f.chunks = append(f.chunks, f.w.out)
		f.size += len(f.w.out)
	}
}

// end closes the calendar once; no session can be added after.
func (f *FeedWriter) end() {
	if !f.done {
		f.w.close()
		f.flush()
		f.done = true
	}
}

// Len is the size of the finished feed in bytes.
func (f *FeedWriter) Len() int {
	f.end()
	return f.size
}

// WriteTo writes the finished feed to w.
func (f *FeedWriter) WriteTo(w io.Writer) (int64, error) {
	f.end()
	var n int64
	for _, c := range f.chunks {
		m, err := w.Write(c)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Bytes is the finished feed in one slice.
func (f *FeedWriter) Bytes() []byte {
	f.end()
	out := make([]byte, 0, f.size)
	for _, c := range f.chunks {
		out = append(out, c...)
	}
	return out
}
