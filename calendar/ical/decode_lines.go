package ical

import "strings"

// rawLine is one logical content line (RFC 5545 §3.1): text[start:end]
// holds it with its continuation lines and line breaks (CRLF or LF); first
// is its first physical line without the break. Lines are not unfolded
// unless their property is one busy time reads, so a megabyte of folded
// ATTACH data costs a scan and nothing more.
type rawLine struct {
	start, end int
	first      string
	folded     bool
}

// nextLine reads the logical line that starts at pos.
func nextLine(text string, pos int) rawLine {
	rest := text[pos:]
	i := strings.IndexByte(rest, '\n')
	if i < 0 {
		return rawLine{start: pos, end: len(text), first: strings.TrimSuffix(rest, "\r")}
	}
	l := rawLine{start: pos, first: strings.TrimSuffix(rest[:i], "\r")}
	next := pos + i + 1
	for next < len(text) && (text[next] == ' ' || text[next] == '\t') {
		l.folded = true
		j := strings.IndexByte(text[next:], '\n')
		if j < 0 {
			next = len(text)
			break
		}
		next += j + 1
	}
	l.end = next
	return l
}

// unfolded is the logical line with its continuation lines joined.
func (l rawLine) unfolded(text string) string {
	if !l.folded {
		return l.first
	}
	var b strings.Builder
	b.Grow(l.end - l.start)
	seg := text[l.start:l.end]
	for first := true; len(seg) > 0; first = false {
		var phys string
		if i := strings.IndexByte(seg, '\n'); i >= 0 {
			phys, seg = seg[:i], seg[i+1:]
		} else {
			phys, seg = seg, ""
		}
		phys = strings.TrimSuffix(phys, "\r")
		if !first && phys != "" {
			phys = phys[1:] // the space or tab that marks a continuation
		}
		b.WriteString(phys)
	}
	return b.String()
}

// name returns the canonical (upper-case) name of the line's property
// when it is one busy time reads, with the unfolded line; otherwise "",
// without unfolding anything.
func (l rawLine) name(text string) (name, line string) {
	line = l.first
	end := nameEnd(line)
	if end < 0 && l.folded {
		// A name folded across lines: legal, if odd.
		line = l.unfolded(text)
		end = nameEnd(line)
	}
	if end <= 0 {
		return "", ""
	}
	name = relevantName(line[:end])
	if name == "" {
		return "", ""
	}
	if l.folded {
		line = l.unfolded(text)
	}
	return name, line
}

// relevantName returns the canonical spelling of the properties busy time
// depends on, in any case, and "" for every other name. Other lines
// (DESCRIPTION, ATTENDEE with its many parameters, X-APPLE-…) are most of
// the bytes of real calendars; they are skipped before anything is
// parsed or copied.
func relevantName(name string) string {
	const longest = len("X-MICROSOFT-CDO-BUSYSTATUS")
	if len(name) > longest {
		return ""
	}
	var upper [longest]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper[i] = c
	}
	// A switch on a converted byte slice does not allocate.
	switch string(upper[:len(name)]) {
	case "BEGIN":
		return "BEGIN"
	case "END":
		return "END"
	case "UID":
		return "UID"
	case "DTSTART":
		return "DTSTART"
	case "DTEND":
		return "DTEND"
	case "DURATION":
		return "DURATION"
	case "RRULE":
		return "RRULE"
	case "RDATE":
		return "RDATE"
	case "EXDATE":
		return "EXDATE"
	case "RECURRENCE-ID":
		return "RECURRENCE-ID"
	case "SEQUENCE":
		return "SEQUENCE"
	case "STATUS":
		return "STATUS"
	case "TRANSP":
		return "TRANSP"
	case "X-MICROSOFT-CDO-BUSYSTATUS":
		return "X-MICROSOFT-CDO-BUSYSTATUS"
	case "TZID":
		return "TZID"
	case "TZOFFSETFROM":
		return "TZOFFSETFROM"
	case "TZOFFSETTO":
		return "TZOFFSETTO"
	case "TZNAME":
		return "TZNAME"
	}
	return ""
}

// icsProp is a parsed content line. Parameters stay unparsed text until
// asked for: most lines are read for their value only.
type icsProp struct {
	name   string // upper case
	params string // ";PARAM=VALUE…" as written, "" without parameters
	value  string // as written
}

// parseContentLine parses NAME *(;PARAM=VALUE[,VALUE]) : VALUE (RFC 5545
// §3.1). Parameter values may be quoted, and may then hold ':' and ';'.
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
		rest = rest[eq:]
		for len(rest) > 0 && (rest[0] == '=' || rest[0] == ',') {
			rest = rest[1:]
			if len(rest) > 0 && rest[0] == '"' {
				q := strings.IndexByte(rest[1:], '"')
				if q < 0 {
					return icsProp{}, false
				}
				rest = rest[2+q:]
			} else {
				n := strings.IndexAny(rest, ";,:")
				if n < 0 {
					return icsProp{}, false
				}
				rest = rest[n:]
			}
		}
	}
	if len(rest) == 0 || rest[0] != ':' {
		return icsProp{}, false
	}
	prop.params = line[end : len(line)-len(rest)]
	prop.value = rest[1:]
	return prop, true
}

// param returns the first value of the first parameter called name (any
// case), without quotes; "" when absent. The syntax was checked by
// parseContentLine.
func (p *icsProp) param(name string) string {
	rest := p.params
	for len(rest) > 0 && rest[0] == ';' {
		eq := strings.IndexByte(rest, '=')
		pname := rest[1:eq]
		rest = rest[eq:]
		match, first := strings.EqualFold(pname, name), true
		var found string
		for len(rest) > 0 && (rest[0] == '=' || rest[0] == ',') {
			rest = rest[1:]
			var value string
			if len(rest) > 0 && rest[0] == '"' {
				q := strings.IndexByte(rest[1:], '"')
				value, rest = rest[1:1+q], rest[2+q:]
			} else {
				n := strings.IndexAny(rest, ";,:")
				if n < 0 {
					n = len(rest)
				}
				value, rest = rest[:n], rest[n:]
			}
			if first {
				found, first = value, false
			}
		}
		if match {
			return found
		}
	}
	return ""
}

func (p *icsProp) tzid() string       { return p.param("TZID") }
func (p *icsProp) valueType() string  { return p.param("VALUE") }
func (p *icsProp) rangeParam() string { return p.param("RANGE") }

// text is the value trimmed and unescaped enough for the identifiers and
// keywords we compare (UID, STATUS, TRANSP).
func (p *icsProp) text() string { return unescapeUID(p.value) }

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
