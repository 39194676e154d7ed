package ical

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// A VTIMEZONE is turned into a real *time.Location by computing its
// transitions (each STANDARD/DAYLIGHT observance's DTSTART, RRULE and RDATE
// onsets) and handing them to time.LoadLocationFromTZData as TZif data, so
// that wall-clock arithmetic and recurrence expansion treat custom zones
// exactly like IANA ones.

// vtimezoneHorizon bounds the transitions we compute; later instants keep
// the last offset.
var (
	vtimezoneFrom    = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	vtimezoneHorizon = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

type zoneType struct {
	offset int // seconds east of UTC
	isDST  bool
	abbrev string
}

type zoneTransition struct {
	at   int64 // Unix seconds
	from int   // offset in force before
	typ  zoneType
}

// icsComponent is a parsed VTIMEZONE or one of its observances: its name
// (upper case), the properties zones need, and its observances.
type icsComponent struct {
	name     string
	props    []icsProp
	children []*icsComponent
}

// get returns the first property called name, or nil.
func (c *icsComponent) get(name string) *icsProp {
	for i := range c.props {
		if c.props[i].name == name {
			return &c.props[i]
		}
	}
	return nil
}

// all yields every property called name, in file order.
func (c *icsComponent) all(name string) iter.Seq[*icsProp] {
	return func(yield func(*icsProp) bool) {
		for i := range c.props {
			if c.props[i].name == name && !yield(&c.props[i]) {
				return
			}
		}
	}
}

// propText returns the first value of a property, trimmed and unescaped.
func propText(c *icsComponent, name string) string {
	if p := c.get(name); p != nil {
		return p.text()
	}
	return ""
}

// Bounds of one VTIMEZONE: real ones hold two observances of a few lines
// each, and change offset twice a year.
const (
	maxObservances     = 64
	maxObservanceProps = 64
	maxTransitions     = 1000
)

var errZoneTooLarge = errors.New("VTIMEZONE too large")

// readVTimezone reads the VTIMEZONE at zs into its observances, with the
// scan's rules for unbalanced BEGIN and END lines.
func readVTimezone(text string, zs zoneSpan) (*icsComponent, error) {
	vtz := &icsComponent{name: ical.CompTimezone}
	var open []string // sub-components, innermost last
	var cur *icsComponent
	pos := nextLine(text, int(zs.lo)).end // the BEGIN:VTIMEZONE line
	for pos < int(zs.hi) {
		l := nextLine(text, pos)
		pos = l.end
		name, line := l.name(text)
		switch name {
		case "":
		case "BEGIN":
			cn := componentName(line)
			if i := slices.Index(open, cn); i >= 0 {
				open = open[:i]
			}
			open = append(open, cn)
			if len(open) == 1 {
				cur = nil
				if cn == ical.CompTimezoneStandard || cn == ical.CompTimezoneDaylight {
					if len(vtz.children) == maxObservances {
						return nil, fmt.Errorf("%w: more than %d observances", errZoneTooLarge, maxObservances)
					}
					cur = &icsComponent{name: cn}
					vtz.children = append(vtz.children, cur)
				}
			}
		case "END":
			cn := componentName(line)
			if i := slices.Index(open, cn); i >= 0 {
				open = open[:i]
			} else if cn == ical.CompTimezone {
				return vtz, nil
			}
		default:
			if len(open) != 1 || cur == nil {
				continue
			}
			if len(cur.props) == maxObservanceProps {
				return nil, fmt.Errorf("%w: more than %d properties in an observance", errZoneTooLarge, maxObservanceProps)
			}
			if p, ok := parseContentLine(line); ok {
				cur.props = append(cur.props, p)
			}
		}
	}
	return vtz, nil
}

// onsetBudget bounds the onsets of one observance and charges the steps
// of its rule to the decoding.
type onsetBudget struct {
	m      *meter
	onsets int
}

func (b *onsetBudget) charge(k measure) error {
	if k == occurrences {
		b.onsets++
		if b.onsets > maxTransitions {
			return fmt.Errorf("%w: more than %d transitions", errZoneTooLarge, maxTransitions)
		}
		return nil
	}
	return b.m.charge(k)
}

func locationFromVTimezone(id string, vtz *icsComponent, m *meter) (*time.Location, error) {
	var all []zoneTransition
	for _, obs := range vtz.children {
		if obs.name != ical.CompTimezoneStandard && obs.name != ical.CompTimezoneDaylight {
			continue
		}
		tr, err := observanceTransitions(obs, m)
		if err != nil {
			return nil, fmt.Errorf("VTIMEZONE %q: %w", id, err)
		}
		all = append(all, tr...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("VTIMEZONE %q has no usable observance", id)
	}
	slices.SortStableFunc(all, func(a, b zoneTransition) int { return int(min(max(a.at-b.at, -1), 1)) })
	all = slices.CompactFunc(all, func(a, b zoneTransition) bool { return a.at == b.at })
	initial := zoneType{offset: all[0].from, abbrev: "LMT"}
	data, err := buildTZif(initial, all)
	if err != nil {
		return nil, fmt.Errorf("VTIMEZONE %q: %w", id, err)
	}
	return time.LoadLocationFromTZData(id, data)
}

func observanceTransitions(obs *icsComponent, m *meter) ([]zoneTransition, error) {
	from, err1 := parseUTCOffset(propText(obs, ical.PropTimezoneOffsetFrom))
	to, err2 := parseUTCOffset(propText(obs, ical.PropTimezoneOffsetTo))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	start, err := parseDateTimeText(propText(obs, ical.PropDateTimeStart))
	if err != nil {
		return nil, fmt.Errorf("observance DTSTART: %w", err)
	}
	// Onsets are local times in the offset in force before the change.
	onsetLoc := time.FixedZone("", from)
	first := start.in(onsetLoc)
	onsets := []time.Time{first}
	if p := obs.get(ical.PropRecurrenceRule); p != nil {
		rule, err := parseRecurRule(p.value, onsetLoc)
		if err != nil {
			return nil, err
		}
		more, err := expandRecurRule(rule, first, vtimezoneFrom, vtimezoneHorizon, &onsetBudget{m: m}, nil)
		if err != nil {
			return nil, err
		}
		onsets = append(onsets, more...)
	}
	for p := range obs.all(ical.PropRecurrenceDates) {
		for v := range strings.SplitSeq(p.value, ",") {
			if len(onsets) > maxTransitions {
				return nil, fmt.Errorf("%w: more than %d transitions", errZoneTooLarge, maxTransitions)
			}
			if cv, err := parseDateTimeText(v); err == nil {
				onsets = append(onsets, cv.in(onsetLoc))
			}
		}
	}
	typ := zoneType{offset: to, isDST: obs.name == ical.CompTimezoneDaylight, abbrev: zoneAbbrev(propText(obs, ical.PropTimezoneName), to)}
	out := make([]zoneTransition, 0, len(onsets))
	for _, t := range onsets {
		out = append(out, zoneTransition{at: t.Unix(), from: from, typ: typ})
	}
	return out, nil
}

// parseUTCOffset parses ±HHMM or ±HHMMSS.
func parseUTCOffset(s string) (int, error) {
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("malformed UTC offset %q", s)
	}
	h, ok1 := digits(s, 1, 3)
	m, ok2 := digits(s, 3, 5)
	sec, ok3 := 0, true
	if len(s) == 7 {
		sec, ok3 = digits(s, 5, 7)
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("malformed UTC offset %q", s)
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

// zoneAbbrev keeps a TZNAME usable as a TZif abbreviation, or derives one
// from the offset.
func zoneAbbrev(name string, offset int) string {
	clean := strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-') {
			return r
		}
		return -1
	}, name)
	if len(clean) >= 3 && len(clean) <= 10 {
		return clean
	}
	sign, off := '+', offset
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d%02d", sign, off/3600, off%3600/60)
}

// buildTZif encodes transitions as TZif version 2 data (RFC 8536) with an
// empty version 1 block. Type 0 is the zone before the first transition
// and is referenced by no transition, so Go uses it for earlier instants.
func buildTZif(initial zoneType, trans []zoneTransition) ([]byte, error) {
	types := []zoneType{initial}
	index := map[zoneType]int{}
	idx := make([]byte, 0, len(trans))
	for _, t := range trans {
		i, ok := index[t.typ]
		if !ok {
			i = len(types)
			if i > 255 {
				return nil, errors.New("too many distinct offsets")
			}
			index[t.typ] = i
			types = append(types, t.typ)
		}
		idx = append(idx, byte(i))
	}
	var chars []byte
	abbrevAt := map[string]int{}
	for _, t := range types {
		if _, ok := abbrevAt[t.abbrev]; !ok {
			abbrevAt[t.abbrev] = len(chars)
			chars = append(append(chars, t.abbrev...), 0)
		}
	}
	if len(chars) > 255 {
		return nil, errors.New("too many distinct zone names")
	}
	header := func(b []byte, timecnt, typecnt, charcnt int) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return b
	}
	b := header(nil, 0, 1, 1)
	b = append(b, 0, 0, 0, 0, 0, 0, 0) // one ttinfo, one NUL abbreviation
	b = header(b, len(trans), len(types), len(chars))
	for _, t := range trans {
		b = binary.BigEndian.AppendUint64(b, uint64(t.at))
	}
	b = append(b, idx...)
	for _, t := range types {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(t.offset)))
		dst := byte(0)
		if t.isDST {
			dst = 1
		}
		b = append(b, dst, byte(abbrevAt[t.abbrev]))
	}
	b = append(b, chars...)
	return append(b, '\n', '\n'), nil
}
