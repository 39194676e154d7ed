// Package slotcache keeps in memory what computing a mentor's free slots
// reads from the database: the mentor's row and hours, their busy time
// (merged) and live sessions over the next weeks, their calendars' sync
// state, and which mentor each booking link leads to. The slot endpoint
// then answers without a database round trip.
//
// It stays current through the store's change feed (database triggers,
// so a change made by any code path or any process is seen: pushed by
// PostgreSQL's LISTEN/NOTIFY within milliseconds, polled from SQLite
// every 100 ms). While the feed is down the cache answers nothing and
// callers read the database. Entries also expire after an hour, as the
// window they hold slides with the clock.
//
// A stale entry can only offer a slot that is no longer free: bookings
// decide in the database under the mentor's lock and refuse it (409).
//
// Memory is bounded: at most MaxIntervals busy and session intervals in
// all (least recently used mentors are evicted first), at most MaxMentors
// mentors and MaxLinks links.
package slotcache

import (
	"container/list"
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Options bound and tune the cache; zero values take the defaults.
type Options struct {
	// MaxIntervals caps busy and session intervals held in all (500,000:
	// 24 MB of intervals).
	MaxIntervals int
	// MaxMentors caps mentors held (20,000).
	MaxMentors int
	// MaxLinks caps booking links remembered (100,000, ~15 MB).
	MaxLinks int
	// TTL is how long an entry serves (1 hour); its window reaches three
	// days past the horizon, so it covers every slot until it expires.
	TTL    time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Cache holds mentors' slot inputs. It is safe for concurrent use.
type Cache struct {
	opts  Options
	store *store.Store
	loads singleflight.Group
	// zones holds loaded zones by name: only valid IANA names get in, so
	// it is bounded by the zone database.
	zones sync.Map

	mu   sync.Mutex
	live bool // the change feed is up: entries may be used and stored
	// clock counts changes; an entry (or a load) stamped before its
	// mentor's last change, or before floor, is void.
	clock, floor uint64
	changedAt    map[string]uint64
	mentors      map[string]*list.Element // of *entry, most recent first
	lru          *list.List
	intervals    int
	links        map[string]link
}

type entry struct {
	in      *Inputs
	expires time.Time
	weight  int
}

type link struct {
	mentorID string
	stamp    uint64
}

// Stamp marks when a read from the database began: what it found may be
// kept only if nothing it depends on changed since.
type Stamp uint64

// New builds a cache over the store; it is used only while Run runs.
func New(db *store.Store, opts Options) *Cache {
	if opts.MaxIntervals <= 0 {
		opts.MaxIntervals = 500_000
	}
	if opts.MaxMentors <= 0 {
		opts.MaxMentors = 20_000
	}
	if opts.MaxLinks <= 0 {
		opts.MaxLinks = 100_000
	}
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Cache{opts: opts, store: db, changedAt: map[string]uint64{},
		mentors: map[string]*list.Element{}, lru: list.New(), links: map[string]link{}}
}

// Run follows the database's change feed until ctx ends; the cache
// serves only while it runs.
func (c *Cache) Run(ctx context.Context) error {
	defer c.Lost(nil)
	return c.store.WatchMentorChanges(ctx, c)
}

// Watching (store.MentorChanges) starts serving from an empty cache.
func (c *Cache) Watching() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
	c.live = true
}

// Lost (store.MentorChanges) stops serving until the feed is back.
func (c *Cache) Lost(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil && c.live {
		c.opts.Logger.Warn("slot cache: change feed lost; slots read from the database until it is back", slog.Any("error", err))
	}
	c.live = false
	c.resetLocked()
}

// Changed (store.MentorChanges) forgets what is known of a mentor; the
// writes of this process call it too, to be seen at once.
func (c *Cache) Changed(mentorID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	if len(c.changedAt) >= 4*c.opts.MaxMentors {
		// Keep the record of changes bounded: forgetting everything is
		// always correct.
		c.resetLocked()
		return
	}
	c.changedAt[mentorID] = c.clock
	if el, ok := c.mentors[mentorID]; ok {
		c.removeLocked(el)
	}
}

func (c *Cache) resetLocked() {
	c.clock++
	c.floor = c.clock
	clear(c.changedAt)
	clear(c.mentors)
	clear(c.links)
	c.lru.Init()
	c.intervals = 0
}

// Serving reports whether the cache answers now (its change feed is up).
func (c *Cache) Serving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

// Stamp is taken before a database read whose result may be kept.
func (c *Cache) Stamp() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stamp(c.clock)
}

// validLocked reports whether what was read at stamp about the mentor
// still holds.
func (c *Cache) validLocked(mentorID string, stamp uint64) bool {
	return c.live && stamp >= c.floor && c.changedAt[mentorID] <= stamp
}

// Link returns the mentor a booking link (by token hash) leads to, when
// known and unchanged.
func (c *Cache) Link(tokenHash string) (mentorID string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.links[tokenHash]
	if !ok || !c.validLocked(l.mentorID, l.stamp) {
		return "", false
	}
	return l.mentorID, true
}

// RememberLink keeps where a link leads, read from the database since
// stamp. Any change to the mentor (a mentee ended or moved, the public
// link turned off) voids it.
func (c *Cache) RememberLink(tokenHash, mentorID string, stamp Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.validLocked(mentorID, uint64(stamp)) {
		return
	}
	if len(c.links) >= c.opts.MaxLinks {
		clear(c.links)
	}
	c.links[tokenHash] = link{mentorID: mentorID, stamp: uint64(stamp)}
}

// Mentor returns a mentor's slot inputs; ok is false while the cache is
// not serving (read the database instead). A miss loads them once for
// all concurrent callers.
func (c *Cache) Mentor(ctx context.Context, mentorID string) (in *Inputs, ok bool, err error) {
	now := c.opts.Now()
	c.mu.Lock()
	if !c.live {
		c.mu.Unlock()
		return nil, false, nil
	}
	if el, found := c.mentors[mentorID]; found {
		e := el.Value.(*entry)
		if now.Before(e.expires) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return e.in, true, nil
		}
		c.removeLocked(el)
	}
	c.mu.Unlock()
	v, err, _ := c.loads.Do(mentorID, func() (any, error) {
		stamp := c.Stamp()
		in, err := c.load(context.WithoutCancel(ctx), mentorID, c.opts.Now())
		if err != nil {
			return nil, err
		}
		c.keep(mentorID, in, uint64(stamp))
		return in, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*Inputs), true, nil
}

// Held returns a mentor's inputs if the cache holds them now, without
// loading them on a miss (for a caller that would rather read only what it
// needs from the database than the whole of a mentor's inputs).
func (c *Cache) Held(mentorID string) (*Inputs, bool) {
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		return nil, false
	}
	el, found := c.mentors[mentorID]
	if !found {
		return nil, false
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		return nil, false
	}
	return e.in, true
}

// keep stores a mentor's inputs read since stamp, unless they changed
// meanwhile; then evicts the least recently used over the bounds.
func (c *Cache) keep(mentorID string, in *Inputs, stamp uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.validLocked(mentorID, stamp) {
		return
	}
	if el, ok := c.mentors[mentorID]; ok {
		c.removeLocked(el)
	}
	e := &entry{in: in, expires: in.LoadedAt.Add(c.opts.TTL), weight: len(in.Busy) + len(in.Booked)}
	if e.weight > c.opts.MaxIntervals {
		return
	}
	c.mentors[mentorID] = c.lru.PushFront(e)
	c.intervals += e.weight
	for c.intervals > c.opts.MaxIntervals || len(c.mentors) > c.opts.MaxMentors {
		c.removeLocked(c.lru.Back())
	}
}

func (c *Cache) removeLocked(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.mentors, e.in.Mentor.ID)
	c.intervals -= e.weight
}

// Size reports what the cache holds: mentors, intervals and links.
func (c *Cache) Size() (mentors, intervals, links int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mentors), c.intervals, len(c.links)
}

// Inputs are what a mentor's slots are computed from, read at LoadedAt.
// They are shared: never modify them.
type Inputs struct {
	Mentor       store.Mentor
	Location     *time.Location
	Availability calendar.Availability
	// Busy is the mentor's busy time (merged, by start) and Booked their
	// live sessions (by start), both over Window.
	Busy, Booked []calendar.Interval
	Window       calendar.Interval
	// OldestSync is the oldest last successful sync of the mentor's
	// connections (nil if one never succeeded); Connected whether there
	// is any.
	OldestSync *time.Time
	Connected  bool
	LoadedAt   time.Time
}

// Covers reports whether the inputs hold everything slot computation
// reads for [from, to) at now: busy time and sessions from two days
// before the first possible slot to two days after the last.
func (in *Inputs) Covers(from, to, now time.Time) bool {
	if n := now.Add(time.Duration(in.Mentor.MinNoticeMinutes) * time.Minute); from.Before(n) {
		from = n
	}
	// The horizon ends with a local date: a day, and one more for zone
	// offsets and clock changes, past now plus the horizon.
	if last := now.AddDate(0, 0, in.Mentor.HorizonDays+2); in.Mentor.HorizonDays > 0 && to.After(last) {
		to = last
	}
	if !from.Before(to) {
		return true // no slot can fall in the window
	}
	return !from.Add(-48*time.Hour).Before(in.Window.Start) && !to.Add(48*time.Hour).After(in.Window.End)
}
