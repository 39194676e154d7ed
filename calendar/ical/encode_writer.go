package ical

import (
	"strconv"
	"time"
)

// icsWriter builds an iCalendar stream line by line straight into a byte
// slice. It replaces go-ical's encoder on the output path because that one
// neither folds lines nor lets us control parameter quoting, and because a
// mentor's feed can hold thousands of sessions and must render in
// milliseconds.
type icsWriter struct {
	out  []byte
	line []byte // scratch buffer for the content line being built
}

// begin starts a content line "NAME" to which parameters and a value are
// then appended; finish folds it into the output.
func (w *icsWriter) begin(name string) {
	w.line = append(w.line[:0], name...)
}

func (w *icsWriter) finish() {
	w.out = appendFolded(w.out, w.line)
}

// param appends ";NAME=VALUE" with the value always double-quoted: quoting
// is valid for every parameter and protects ":", ";" and "," in names.
func (w *icsWriter) param(name, value string) {
	w.line = append(w.line, ';')
	w.line = append(w.line, name...)
	w.line = append(w.line, '=', '"')
	w.line = appendParamValue(w.line, value)
	w.line = append(w.line, '"')
}

// bareParam appends ";NAME=VALUE" for fixed tokens (ROLE, PARTSTAT, …) that
// are conventionally written unquoted.
func (w *icsWriter) bareParam(name, value string) {
	w.line = append(w.line, ';')
	w.line = append(w.line, name...)
	w.line = append(w.line, '=')
	w.line = append(w.line, value...)
}

// raw writes NAME:VALUE for values that are not TEXT (tokens, URIs,
// durations); control characters are still dropped so that no value can
// break out of its line.
func (w *icsWriter) raw(name, value string) {
	w.begin(name)
	w.line = append(w.line, ':')
	w.line = appendWithoutControls(w.line, value)
	w.finish()
}

// text writes NAME:VALUE with TEXT escaping (RFC 5545 §3.3.11).
func (w *icsWriter) text(name, value string) {
	w.begin(name)
	w.line = append(w.line, ':')
	w.line = appendEscapedText(w.line, value)
	w.finish()
}

// utc writes a DATE-TIME in UTC ("Z" form), which needs no VTIMEZONE.
func (w *icsWriter) utc(name string, t time.Time) {
	w.begin(name)
	w.line = append(w.line, ':')
	w.line = appendUTC(w.line, t)
	w.finish()
}

// appendEscapedText escapes backslash, semicolon and comma, turns every
// line break (CRLF, CR or LF) into the two characters "\n", and drops other
// control characters, which RFC 5545 forbids in TEXT. Runs of ordinary bytes
// are copied in one go: this loop dominates the cost of a large feed.
func appendEscapedText(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != ';' && c != ',' && c != 0x7f {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '\\', ';', ',':
			dst = append(dst, '\\', c)
		case '\r':
			dst = append(dst, '\\', 'n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
				start = i + 1
			}
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, c)
		}
		// other control characters are dropped
	}
	return append(dst, s[start:]...)
}

// appendParamValue writes a quoted parameter value: a DQUOTE cannot appear
// inside one (RFC 5545 §3.2), so it becomes an apostrophe, and line breaks
// become spaces.
func appendParamValue(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			dst = append(dst, '\'')
		case c == '\r' || c == '\n' || c == '\t':
			dst = append(dst, ' ')
		case c < 0x20 || c == 0x7f:
			// dropped
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func appendWithoutControls(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c != 0x7f {
			dst = append(dst, c)
		}
	}
	return dst
}

// formatDuration renders d as an RFC 5545 DURATION (§3.3.6), e.g. PT15M,
// -PT15M, P1D, P1DT12H. Sub-second parts are dropped.
func formatDuration(d time.Duration) string {
	b := make([]byte, 0, 16)
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	b = append(b, 'P')
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	hours, minutes, seconds := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if days > 0 {
		b = strconv.AppendInt(b, int64(days), 10)
		b = append(b, 'D')
	}
	if hours > 0 || minutes > 0 || seconds > 0 || days == 0 {
		b = append(b, 'T')
		if hours > 0 {
			b = strconv.AppendInt(b, int64(hours), 10)
			b = append(b, 'H')
		}
		if minutes > 0 {
			b = strconv.AppendInt(b, int64(minutes), 10)
			b = append(b, 'M')
		}
		if seconds > 0 || (days == 0 && hours == 0 && minutes == 0) {
			b = strconv.AppendInt(b, int64(seconds), 10)
			b = append(b, 'S')
		}
	}
	return string(b)
}

// appendUTC writes t as an RFC 5545 UTC DATE-TIME (20261207T133000Z); it is
// hand-rolled because time.AppendFormat's layout parsing showed up in feed
// profiles.
func appendUTC(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(dst, int(month), 2)
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = appendDigits(dst, minute, 2)
	dst = appendDigits(dst, second, 2)
	return append(dst, 'Z')
}

// appendDigits writes a non-negative n zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var buf [8]byte
	i := len(buf)
	for ; n > 0 || width > 0; width-- {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, buf[i:]...)
}
