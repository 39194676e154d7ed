package ical

// maxLineOctets is the longest content line RFC 5545 §3.1 allows, excluding
// the CRLF. Lines are measured in octets, not characters, so a name in
// Chinese reaches the limit three times sooner than one in ASCII.
const maxLineOctets = 75

// appendFolded appends one content line to dst, folded at 75 octets and
// terminated by CRLF. Continuation lines start with a single space, which
// counts towards their 75 octets. A fold never splits a UTF-8 sequence:
// strict parsers (and some mail clients) reject the resulting invalid UTF-8
// even though unfolding would glue the bytes back together.
func appendFolded(dst []byte, line []byte) []byte {
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		// Back up to the start of the UTF-8 sequence that straddles the
		// limit. A sequence is at most 4 octets, so at most 3 steps back;
		// the bound also guarantees progress on invalid UTF-8.
		for steps := 0; steps < 3 && cut > 1 && isUTF8Continuation(line[cut]); steps++ {
			cut--
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, '\r', '\n', ' ')
		line = line[cut:]
		limit = maxLineOctets - 1 // the leading space takes one octet
	}
	dst = append(dst, line...)
	return append(dst, '\r', '\n')
}

// Fold returns a content line folded per RFC 5545 §3.1, with CRLF line
// endings (including a final CRLF). It exists for callers that assemble
// iCalendar lines themselves; the encoders in this package fold already.
func Fold(line string) string {
	return string(appendFolded(make([]byte, 0, len(line)+len(line)/maxLineOctets*3+2), []byte(line)))
}

func isUTF8Continuation(b byte) bool { return b&0xC0 == 0x80 }
