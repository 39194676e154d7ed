// Package zonenames names time zones as people know them today: CLDR's
// canonical names with IANA's current spellings (Europe/Kyiv, not
// Europe/Kiev; Asia/Kolkata, not Asia/Calcutta), and the places a zone is
// known by, for a zone picker. The table is generated from CLDR and IANA
// data (see gen); nothing here does I/O.
package zonenames

import "strings"

//go:generate sh -c "go run ./gen -cldr $CLDR_TIMEZONE_JSON -zonetab /usr/share/zoneinfo/zone.tab > table.go"

// Zone is a canonical zone of a place.
type Zone struct {
	Name        string // canonical name, e.g. "Asia/Kolkata"
	City        string // English name of the zone's exemplar city, e.g. "Kolkata"
	Country     string // ISO 3166 code, e.g. "IN"; empty for UTC
	Description string // CLDR's English description, e.g. "Kolkata, India"
}

// Canonical returns the canonical name of a zone name: an obsolete or
// linked name maps to the zone's current one; a canonical or unknown name
// is returned as it is.
func Canonical(name string) string {
	if c, ok := aliases[name]; ok {
		return c
	}
	return name
}

// Display is a zone name as a page shows it: canonical, with spaces for
// underscores ("America/Ho Chi Minh" style names read better), and plain
// "UTC" for UTC.
func Display(name string) string {
	c := Canonical(name)
	if c == "Etc/UTC" {
		return "UTC"
	}
	return strings.ReplaceAll(c, "_", " ")
}

// Aliases returns a copy of the alias table (other name → canonical name),
// for the browser's picker.
func Aliases() map[string]string {
	out := make(map[string]string, len(aliases))
	for k, v := range aliases {
		out[k] = v
	}
	return out
}

// All returns the zones of places, sorted by name, plus UTC.
func All() []Zone { return append([]Zone(nil), zones...) }
