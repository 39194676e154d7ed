package zonenames

import (
	"testing"
	"time"
	_ "time/tzdata" // the same zone data as a server built with it
)

func TestCanonical(t *testing.T) {
	for name, want := range map[string]string{
		"Europe/Kiev":       "Europe/Kyiv",
		"Europe/Zaporozhye": "Europe/Kyiv",
		"Asia/Calcutta":     "Asia/Kolkata",
		"Asia/Saigon":       "Asia/Ho_Chi_Minh",
		"Asia/Rangoon":      "Asia/Yangon",
		"America/Godthab":   "America/Nuuk",
		"US/Eastern":        "America/New_York",
		"UTC":               "Etc/UTC",
		"Asia/Chongqing":    "Asia/Shanghai",
		// Canonical names and zones CLDR keeps apart stay as they are,
		// even where IANA's default build links them to another city.
		"Europe/Kyiv":      "Europe/Kyiv",
		"Europe/Amsterdam": "Europe/Amsterdam",
		"Europe/Paris":     "Europe/Paris",
		"Not/A_Zone":       "Not/A_Zone",
	} {
		if got := Canonical(name); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDisplay(t *testing.T) {
	for name, want := range map[string]string{
		"Asia/Saigon":     "Asia/Ho Chi Minh",
		"UTC":             "UTC",
		"Etc/UTC":         "UTC",
		"America/Toronto": "America/Toronto",
	} {
		if got := Display(name); got != want {
			t.Errorf("Display(%q) = %q, want %q", name, got, want)
		}
	}
}

// Every name the table gives or maps to must load in Go, or a zone the
// picker offers would be refused by the API.
func TestEveryZoneLoads(t *testing.T) {
	seen := map[string]bool{}
	for _, z := range All() {
		if seen[z.Name] {
			t.Errorf("%s listed twice", z.Name)
		}
		seen[z.Name] = true
		if _, err := time.LoadLocation(z.Name); err != nil {
			t.Errorf("zone %s: %v", z.Name, err)
		}
		if Canonical(z.Name) != z.Name {
			t.Errorf("listed zone %s is not canonical (→ %s)", z.Name, Canonical(z.Name))
		}
		if z.City == "" || (z.Country == "" && z.Name != "Etc/UTC") {
			t.Errorf("zone %+v lacks a city or country", z)
		}
	}
	if len(seen) < 400 {
		t.Errorf("only %d zones", len(seen))
	}
	for alias, canonical := range Aliases() {
		if _, ok := aliases[canonical]; ok {
			t.Errorf("%s maps to %s, itself an alias", alias, canonical)
		}
		a, err1 := time.LoadLocation(alias)
		c, err2 := time.LoadLocation(canonical)
		if err2 != nil {
			t.Errorf("canonical %s of %s: %v", canonical, alias, err2)
			continue
		}
		if err1 != nil {
			continue // an old name Go's data no longer has
		}
		// An alias names the same clock today as its canonical zone.
		now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
		for _, at := range []time.Time{now, now.AddDate(0, 6, 0)} {
			_, oa := at.In(a).Zone()
			_, oc := at.In(c).Zone()
			if oa != oc {
				t.Errorf("%s (%d s) and its canonical %s (%d s) differ at %s", alias, oa, canonical, oc, at)
			}
		}
	}
	for _, name := range []string{"Europe/Kyiv", "Asia/Kolkata", "Asia/Ho_Chi_Minh", "America/Toronto", "Etc/UTC"} {
		if !seen[name] {
			t.Errorf("%s is not offered", name)
		}
	}
}
