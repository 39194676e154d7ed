package ical

import (
	"iter"
	"strings"

	"github.com/emersion/go-ical"
)

// We read content lines ourselves rather than with ical.NewDecoder: its
// decoder fails the whole calendar on one malformed line (and panics on
// some, such as a parameter without a value at the end of the line), while
// one bad property in a feed must cost at most its event. It also builds
// parameter values byte by byte, and its map-of-slices components made
// decoding allocation-bound; a component here keeps its few relevant
// properties in a slice and looks them up by scanning it.

// icsComponent is a parsed component: its name (upper case), the
// properties busy time needs, in file order, and its sub-components.
type icsComponent struct {
	name     string
	props    []icsProp
	children []*icsComponent
}

// icsProp is a content line. Only the parameters busy time reads are
// kept, as fields, so that a line costs no allocation of its own.
type icsProp struct {
	name, value string // name in upper case; value as written
	tzid        string // TZID
	valueType   string // VALUE
	rangeParam  string // RANGE
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

// parsedCalendars is what parseICalendar found.
type parsedCalendars struct {
	calendars []*icsComponent
	// truncated lists the UIDs (possibly empty) of events cut off by the
	// end of the input.
	truncated []string
}

// parseICalendar reads every VCALENDAR object in data. Malformed content
// lines are skipped; a component left open is closed by the END of an
// enclosing one, or by a BEGIN of the same name (VEVENTs do not nest); at
// the end of the input, open events are dropped as truncated while the
// enclosing VCALENDAR keeps what it completed.
func parseICalendar(data []byte) parsedCalendars {
	var out parsedCalendars
	var stack []*icsComponent
	closeTop := func() {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, c)
		} else if c.name == ical.CompCalendar {
			out.calendars = append(out.calendars, c)
		}
	}
	closeUpTo := func(name string) {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].name == name {
				for len(stack) > i {
					closeTop()
				}
				return
			}
		}
	}
	forEachContentLine(strings.TrimPrefix(string(data), "\ufeff"), func(line string) {
		if !busyRelevantLine(line) {
			return
		}
		prop, ok := parseContentLine(line)
		if !ok {
			return
		}
		switch prop.name {
		case "BEGIN":
			name := strings.ToUpper(strings.TrimSpace(prop.value))
			if name != "" {
				closeUpTo(name) // no component nests in one of its own kind
			}
			stack = append(stack, &icsComponent{name: name, props: make([]icsProp, 0, 8)})
		case "END":
			closeUpTo(strings.ToUpper(strings.TrimSpace(prop.value)))
		default:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.props = append(top.props, prop)
			}
		}
	})
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		if c.name == ical.CompCalendar {
			closeTop()
			continue
		}
		if c.name == ical.CompEvent {
			out.truncated = append(out.truncated, propText(c, ical.PropUID))
		}
		stack = stack[:len(stack)-1]
	}
	return out
}

// isBusyRelevant lists the only properties busy time depends on. Other
// lines (DESCRIPTION, ATTENDEE with its many parameters, X-APPLE-…) are
// dropped before their parameters are parsed: on real feeds they are most
// of the bytes and most of the allocations.
func isBusyRelevant(name string) bool {
	switch name {
	case "BEGIN", "END", "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
		"RECURRENCE-ID", "SEQUENCE", "STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS",
		"TZID", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME":
		return true
	}
	return false
}

func busyRelevantLine(line string) bool {
	end := nameEnd(line)
	if end <= 0 || end > 32 {
		return false
	}
	name := line[:end]
	if isBusyRelevant(name) {
		return true
	}
	var upper [32]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper[i] = c
	}
	return isBusyRelevant(string(upper[:len(name)]))
}

// forEachContentLine splits text into lines (CRLF or LF) and unfolds
// continuation lines, which start with a space or a tab.
func forEachContentLine(text string, fn func(string)) {
	var cur string
	var folded strings.Builder
	isFolded := false
	flush := func() {
		if isFolded {
			cur = folded.String()
			folded.Reset()
			isFolded = false
		}
		if cur != "" {
			fn(cur)
		}
		cur = ""
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !isFolded {
				folded.WriteString(cur)
				isFolded = true
			}
			folded.WriteString(line[1:])
			continue
		}
		flush()
		cur = line
	}
	flush()
}

// parseContentLine parses NAME *(;PARAM=VALUE[,VALUE]) : VALUE (RFC 5545
// §3.1). Parameter values may be quoted; quotes are removed.
func parseContentLine(line string) (icsProp, bool) {
	end := nameEnd(line)
	if end <= 0 || !isPropName(line[:end]) {
		return icsProp{}, false
	}
	prop := icsProp{name: strings.ToUpper(line[:end])}
	rest := line[end:]
	for len(rest) > 0 && rest[0] == ';' {
		eq := strings.IndexByte(rest, '=')
		if eq < 2 || !isPropName(rest[1:eq]) {
			return icsProp{}, false
		}
		name := rest[1:eq]
		rest = rest[eq:]
		for len(rest) > 0 && (rest[0] == '=' || rest[0] == ',') {
			rest = rest[1:]
			var value string
			if len(rest) > 0 && rest[0] == '"' {
				q := strings.IndexByte(rest[1:], '"')
				if q < 0 {
					return icsProp{}, false
				}
				value, rest = rest[1:1+q], rest[2+q:]
			} else {
				n := strings.IndexAny(rest, ";,:")
				if n < 0 {
					return icsProp{}, false
				}
				value, rest = rest[:n], rest[n:]
			}
			prop.setParam(name, value)
		}
	}
	if len(rest) == 0 || rest[0] != ':' {
		return icsProp{}, false
	}
	prop.value = rest[1:]
	return prop, true
}

// setParam keeps the first value of the parameters we use.
func (p *icsProp) setParam(name, value string) {
	switch {
	case strings.EqualFold(name, ical.ParamTimezoneID) && p.tzid == "":
		p.tzid = value
	case strings.EqualFold(name, ical.ParamValue) && p.valueType == "":
		p.valueType = value
	case strings.EqualFold(name, ical.ParamRange) && p.rangeParam == "":
		p.rangeParam = value
	}
}

// nameEnd returns the index of the first ';' or ':' (the end of a
// property or parameter name), or -1.
func nameEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ';' || s[i] == ':' {
			return i
		}
	}
	return -1
}

func isPropName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// propText returns the first value of a property, unescaped enough for
// the identifiers and keywords we compare (UID, STATUS, TRANSP).
func propText(c *icsComponent, name string) string {
	p := c.get(name)
	if p == nil {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(p.value, `\,`, ","))
}
