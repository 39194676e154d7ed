package calsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/store"
)

// What one calendar may hold. The decoder's own limits (per object, and
// per calendar through an ical.Budget) bound the work of decoding; this
// bounds what is stored and read on every slot request. A mentor's real
// calendar holds a few busy times a day; a calendar that does not merge
// into this many is generated.
const maxBusyIntervals = 20_000

// decodeSlack is how far past the sync window objects are decoded, so
// that their decoded busy time stays usable while the window slides
// forward for that long: an unchanged object is decoded about once a week.
const decodeSlack = 7 * 24 * time.Hour

// decodedBusy is the busy time of one object as cached in
// store.CalendarItem.Decoded: the window, zone and self addresses it was
// decoded for and its intervals in Unix seconds.
type decodedBusy struct {
	From  int64      `json:"from"`
	To    int64      `json:"to"`
	Zone  string     `json:"zone"`
	Self  string     `json:"self,omitempty"`
	Spans [][2]int64 `json:"busy"`
}

// covers reports whether the cache answers for window with the options
// it was decoded with.
func (d *decodedBusy) covers(window calendar.Interval, zone, self string) bool {
	return d.Zone == zone && d.Self == self && d.From <= window.Start.Unix() && window.End.Unix() <= d.To
}

// in returns the cached intervals that overlap window.
func (d *decodedBusy) in(window calendar.Interval) []calendar.Interval {
	var out []calendar.Interval
	for _, s := range d.Spans {
		iv := calendar.Interval{Start: time.Unix(s[0], 0).UTC(), End: time.Unix(s[1], 0).UTC()}
		if iv.Overlaps(window) {
			out = append(out, iv)
		}
	}
	return out
}

// objectDecoder decodes the CalDAV objects of one calendar's sync: it
// charges them all to one budget, reuses what was decoded before for
// unchanged objects, and tells what it decoded afresh.
type objectDecoder struct {
	opts   ical.Options // Window is the sync window
	zone   string       // opts.Location's name
	self   string       // opts.SelfAddresses, for the cache
	budget *ical.Budget
	// fresh maps the keys of objects decoded in this sync to their cache.
	fresh map[string]string
	// decoded counts the objects decoded in this sync.
	decoded  int
	problems problemSummary
}

func newObjectDecoder(opts ical.Options) *objectDecoder {
	self := slices.Clone(opts.SelfAddresses)
	for i := range self {
		self[i] = strings.ToLower(strings.TrimSpace(self[i]))
	}
	slices.Sort(self)
	opts.Calendar = ical.NewBudget(ical.Limits{})
	return &objectDecoder{opts: opts, zone: opts.Location.String(), self: strings.Join(slices.Compact(self), " "),
		budget: opts.Calendar, fresh: map[string]string{}}
}

// busy is the busy time of one object in the sync window. The error is a
// limit (ical.ErrTooLarge) or the context's: the calendar's sync fails.
// An object that is not iCalendar blocks nothing and is reported.
func (d *objectDecoder) busy(ctx context.Context, it store.CalendarItem) ([]calendar.Interval, error) {
	window := d.opts.Window
	if it.Decoded != "" {
		var cached decodedBusy
		if json.Unmarshal([]byte(it.Decoded), &cached) == nil && cached.covers(window, d.zone, d.self) {
			return cached.in(window), nil
		}
	}
	wide := d.opts
	wide.Window.End = window.End.Add(decodeSlack)
	d.decoded++
	busy, err := ical.DecodeBusy(ctx, it.ICS, wide)
	switch {
	case errors.Is(err, ical.ErrNotICalendar):
		d.problems.addNotICalendar(it.Key)
	case err != nil:
		return nil, fmt.Errorf("object %s: %w", it.Key, err)
	}
	d.problems.add(it.Key, busy)
	cache := decodedBusy{From: wide.Window.Start.Unix(), To: wide.Window.End.Unix(), Zone: d.zone, Self: d.self,
		Spans: make([][2]int64, 0, len(busy.Intervals))}
	for _, iv := range busy.Intervals {
		cache.Spans = append(cache.Spans, [2]int64{iv.Start.Unix(), iv.End.Unix()})
	}
	data, _ := json.Marshal(cache)
	d.fresh[it.Key] = string(data)
	return cache.in(window), nil
}

// problemSummary gathers the events a sync skipped, so that a calendar of
// a million broken events costs one log line, not a million.
type problemSummary struct {
	events, objects int
	notICalendar    int
	examples        []string
}

const problemExamples = 3

func (p *problemSummary) add(key string, busy ical.Busy) {
	n := len(busy.Problems) + busy.ProblemsOmitted
	if n == 0 {
		return
	}
	p.events += n
	p.objects++
	for _, pr := range busy.Problems {
		if len(p.examples) == problemExamples {
			break
		}
		p.examples = append(p.examples, brief(fmt.Errorf("%s: %w", key, pr)))
	}
}

func (p *problemSummary) addNotICalendar(key string) {
	p.notICalendar++
	if len(p.examples) < problemExamples {
		p.examples = append(p.examples, key+": not iCalendar data")
	}
}

// busyMerger merges busy intervals as they come, so that what it holds
// stays about the size of the merged result (100,000 events at 480
// distinct times are 480 intervals, not 100,000), and stops at
// maxBusyIntervals.
type busyMerger struct {
	ivs    []calendar.Interval
	merged int // length of ivs at the last merge
	limit  int
	days   int // the sync window's length, for the message
}

// mergeEvery is how many intervals may wait before being merged.
const mergeEvery = 4096

func (b *busyMerger) add(ivs []calendar.Interval) error {
	b.ivs = append(b.ivs, ivs...)
	if len(b.ivs) < 2*b.merged+mergeEvery {
		return nil
	}
	return b.merge()
}

func (b *busyMerger) merge() error {
	b.ivs = calendar.MergeIntervals(b.ivs)
	b.merged = len(b.ivs)
	if b.merged > b.limit {
		return tooLarge{fmt.Errorf("calendar too large: the calendar has more than %d separate busy times in the next %d days",
			b.limit, b.days)}
	}
	return nil
}

// result returns the merged intervals.
func (b *busyMerger) result() ([]calendar.Interval, error) {
	if err := b.merge(); err != nil {
		return nil, err
	}
	return b.ivs, nil
}

// tooLarge marks an error whose message says "calendar too large: …" as
// ErrTooLarge.
type tooLarge struct{ error }

func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }
func (e tooLarge) Unwrap() error        { return e.error }
