package ical

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/emersion/go-ical"
)

// We read content lines ourselves rather than with ical.NewDecoder: its
// decoder fails the whole calendar on one malformed line (and panics on
// some), while one bad property in a feed must cost at most its event; and
// it builds a map-of-slices tree of every component and property, which
// made decoding allocation-bound and let hostile input amplify memory a
// hundredfold.
//
// Decoding is two passes over the text. The scan (this file) walks every
// line once, checks the nesting, counts components and properties against
// the limits, and keeps only where each event and time zone lies in the
// text, with its UID or TZID: 32 bytes each, whatever the event holds.
// Reading (decode_event.go) then goes back to the lines of one series at a
// time, so that what decoding holds at once is the input, those spans, one
// series and the busy time found so far.

// eventSpan is where one VEVENT lies in the text: text[lo:hi] runs from
// its BEGIN line to its END line (or to where it was closed).
type eventSpan struct {
	lo, hi int32
	cal    int32 // index of its VCALENDAR among the input's
	ord    int32 // position among all VEVENTs of the input, for file order
	uid    string
}

// zoneSpan is where one VTIMEZONE lies in the text.
type zoneSpan struct {
	lo, hi int32
	cal    int32
	tzid   string
}

// scanResult is what the scan found.
type scanResult struct {
	calendars int
	events    chunkList[eventSpan]
	zones     chunkList[zoneSpan]
}

// frame is an open component during the scan.
type frame struct {
	name string // upper case
	kind frameKind
	lo   int // offset of its BEGIN line
	ord  int32
	// key is the UID of an event or the TZID of a time zone (first one).
	key      string
	hasStart bool
}

type frameKind uint8

const (
	frameOther frameKind = iota
	frameCalendar
	frameEvent
	frameZone
)

// scanner is the first pass.
type scanner struct {
	text     string
	m        *meter
	problems *problemList
	stack    []frame
	out      scanResult
	events   int32 // VEVENTs seen, for ord
}

// scanICalendar runs the first pass over text. Malformed content lines
// are skipped; a component left open is closed by the END of an enclosing
// one, or by a BEGIN of the same name (no component nests in one of its
// own kind); at the end of the input, open events are dropped as truncated
// while the enclosing VCALENDAR keeps what it completed. The error is a
// *LimitError or the context's.
func scanICalendar(text string, m *meter, problems *problemList) (scanResult, error) {
	s := &scanner{text: text, m: m, problems: problems, stack: make([]frame, 0, maxNesting)}
	for pos := 0; pos < len(text); {
		l := nextLine(text, pos)
		pos = l.end
		if err := s.line(l); err != nil {
			return scanResult{}, err
		}
	}
	for len(s.stack) > 0 {
		f := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		if f.kind == frameEvent {
			problems.add(f.ord, EventProblem{unescapeUID(f.key), errTruncatedEvent})
		}
	}
	return s.out, nil
}

func (s *scanner) line(l rawLine) error {
	name, line := l.name(s.text)
	switch name {
	case "BEGIN":
		if err := s.m.charge(components); err != nil {
			return err
		}
		return s.begin(l, componentName(line))
	case "END":
		s.closeUpTo(componentName(line), l, true)
		return nil
	}
	if len(s.stack) == 0 {
		return nil
	}
	if err := s.m.charge(properties); err != nil {
		return err
	}
	top := &s.stack[len(s.stack)-1]
	switch {
	case top.kind == frameEvent && name == ical.PropUID && top.key == "":
		if p, ok := parseContentLine(line); ok {
			top.key = p.value
		}
	case top.kind == frameEvent && name == ical.PropDateTimeStart:
		top.hasStart = true
	case top.kind == frameZone && name == ical.PropTimezoneID && top.key == "":
		if p, ok := parseContentLine(line); ok {
			top.key = normalizeTZID(p.value)
		}
	}
	return nil
}

func (s *scanner) begin(l rawLine, name string) error {
	if name == "" {
		name = "\x00" // an unnamed component: only an unnamed END closes it
	}
	s.closeUpTo(name, l, false)
	if len(s.stack) == maxNesting {
		return &LimitError{What: "nesting", Limit: maxNesting}
	}
	f := frame{name: name, lo: l.start}
	inCalendar := len(s.stack) == 1 && s.stack[0].kind == frameCalendar
	switch {
	case len(s.stack) == 0 && name == ical.CompCalendar:
		f.kind = frameCalendar
		s.out.calendars++
	case inCalendar && name == ical.CompEvent:
		f.kind, f.ord = frameEvent, s.events
		s.events++
	case inCalendar && name == ical.CompTimezone:
		f.kind = frameZone
	}
	s.stack = append(s.stack, f)
	return nil
}

// closeUpTo closes the innermost open component called name and every
// component inside it, at line l: an END line belongs to the component it
// names, a BEGIN line to none of those it closes. An END that matches
// nothing is ignored. The stack is at most maxNesting deep, so this is
// constant work per line.
func (s *scanner) closeUpTo(name string, l rawLine, isEnd bool) {
	for i := len(s.stack) - 1; i >= 0; i-- {
		if s.stack[i].name != name {
			continue
		}
		for len(s.stack) > i {
			end := l.start
			if isEnd && len(s.stack)-1 == i {
				end = l.end
			}
			s.finish(s.stack[len(s.stack)-1], end)
			s.stack = s.stack[:len(s.stack)-1]
		}
		return
	}
}

// finish records a closed event or time zone that ends at offset end.
func (s *scanner) finish(f frame, end int) {
	cal := int32(s.out.calendars - 1)
	switch f.kind {
	case frameEvent:
		if !f.hasStart {
			s.problems.add(f.ord, EventProblem{unescapeUID(f.key), errNoStart})
			return
		}
		s.out.events.add(eventSpan{lo: int32(f.lo), hi: int32(end), cal: cal, ord: f.ord, uid: f.key})
	case frameZone:
		if f.key != "" {
			s.out.zones.add(zoneSpan{lo: int32(f.lo), hi: int32(end), cal: cal, tzid: f.key})
		}
	}
}

// componentName is the upper-case name a BEGIN or END line gives.
func componentName(line string) string {
	p, ok := parseContentLine(line)
	if !ok {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(p.value))
}

// unescapeUID reads a UID value as propText does.
func unescapeUID(v string) string {
	v = strings.TrimSpace(v)
	if strings.Contains(v, `\,`) {
		v = strings.ReplaceAll(v, `\,`, ",")
	}
	return v
}

// problemList keeps the first maxProblems problems it is given, and counts
// the others: a calendar of a million broken events must not produce a
// million log lines or entries.
type problemList struct {
	kept    []rankedProblem
	omitted int
}

type rankedProblem struct {
	ord int32
	p   EventProblem
}

// maxProblems bounds Busy.Problems.
const maxProblems = 100

func (l *problemList) add(ord int32, p EventProblem) {
	if len(l.kept) >= maxProblems {
		l.omitted++
		return
	}
	l.kept = append(l.kept, rankedProblem{ord, p})
}

// chunkList is an append-only list kept in chunks of 8, 16, … up to 4096
// elements: growing it never copies, so what decoding allocates for it is
// what it keeps, and a small input allocates little.
type chunkList[T any] struct {
	chunks [][]T
	n      int
}

const (
	firstChunkLen = 8
	maxChunkLen   = 4096
	// growingChunks is how many elements the doubling chunks hold.
	growingChunks = 2*maxChunkLen - firstChunkLen
)

func (c *chunkList[T]) add(v T) {
	if k := len(c.chunks); k == 0 || len(c.chunks[k-1]) == cap(c.chunks[k-1]) {
		size := firstChunkLen
		if k > 0 {
			size = min(2*cap(c.chunks[k-1]), maxChunkLen)
		}
		c.chunks = append(c.chunks, make([]T, 0, size))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, v)
	c.n++
}

// at returns element i.
func (c *chunkList[T]) at(i int) *T {
	if i < growingChunks {
		k := bits.Len(uint(i/firstChunkLen+1)) - 1
		return &c.chunks[k][i-firstChunkLen*(1<<k-1)]
	}
	i -= growingChunks
	return &c.chunks[bits.Len(maxChunkLen/firstChunkLen)+i/maxChunkLen][i%maxChunkLen]
}

// flatten returns the elements in one slice of exactly their number.
func (c *chunkList[T]) flatten() []T {
	out := make([]T, 0, c.n)
	for _, ch := range c.chunks {
		out = append(out, ch...)
	}
	return out
}

// order returns the indexes of the elements sorted by cmp, stably.
func (c *chunkList[T]) order(cmp func(a, b *T) int) []int32 {
	perm := make([]int32, c.n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(i, j int32) int {
		if c := cmp(c.at(int(i)), c.at(int(j))); c != 0 {
			return c
		}
		return int(i - j)
	})
	return perm
}
