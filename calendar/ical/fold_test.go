package ical

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldKeepsLinesWithin75OctetsAndUTF8Intact(t *testing.T) {
	cases := map[string]string{
		"ascii":        "SUMMARY:" + strings.Repeat("a", 300),
		"accents":      "ATTENDEE;CN=\"" + strings.Repeat("Éloïse Müßiggang ", 20) + "\":mailto:e@example.org",
		"chinese":      "SUMMARY:" + strings.Repeat("李", 100),
		"mixed offset": "SUMMARY:x" + strings.Repeat("é李ß", 40),
		"emoji":        "SUMMARY:" + strings.Repeat("🙂", 50),
		"exactly 75":   strings.Repeat("b", 75),
		"76 octets":    strings.Repeat("b", 76),
		"short":        "VERSION:2.0",
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			folded := Fold(line)
			if !strings.HasSuffix(folded, "\r\n") {
				t.Fatalf("folded line does not end with CRLF: %q", folded)
			}
			physical := strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n")
			for i, l := range physical {
				if len(l) > maxLineOctets {
					t.Errorf("line %d has %d octets: %q", i, len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
				}
				if i > 0 && !strings.HasPrefix(l, " ") {
					t.Errorf("continuation line %d does not start with a space: %q", i, l)
				}
			}
			if got := unfold(folded); got != line {
				t.Errorf("unfolding does not restore the line:\n got %q\nwant %q", got, line)
			}
		})
	}
}

func TestFoldUses75OctetsOnTheFirstLine(t *testing.T) {
	folded := Fold(strings.Repeat("c", 200))
	first, _, _ := strings.Cut(folded, "\r\n")
	if len(first) != 75 {
		t.Errorf("first line has %d octets, want 75", len(first))
	}
}

// unfold reverses RFC 5545 folding: CRLF followed by one space or tab.
func unfold(s string) string {
	s = strings.TrimSuffix(s, "\r\n")
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.ReplaceAll(s, "\r\n\t", "")
}
