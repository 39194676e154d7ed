package api

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendRFC3339MatchesFormat checks the hand-written formatter against
// time.Format over zones with DST, half-hour and negative offsets, dates
// around leap days and far years.
func TestAppendRFC3339MatchesFormat(t *testing.T) {
	var zones []*time.Location
	for _, name := range []string{"UTC", "Europe/Paris", "America/Toronto", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Europe/London", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	fixed := []time.Time{
		time.Date(2024, 2, 29, 23, 30, 0, 0, time.UTC), time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 12, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 0, 500, time.UTC),
	}
	for i := 0; i < 20000; i++ {
		fixed = append(fixed, time.Unix(rng.Int64N(5_000_000_000)-1_000_000_000, 0))
	}
	for _, loc := range zones {
		for _, ts := range fixed {
			got := string(appendRFC3339(nil, ts, loc))
			if want := ts.In(loc).Format(time.RFC3339); got != want {
				t.Fatalf("%s in %s: %s, want %s", ts, loc, got, want)
			}
		}
	}
}

func TestETagMatches(t *testing.T) {
	tag := `"abc"`
	for header, want := range map[string]bool{
		"": false, `"abc"`: true, `W/"abc"`: true, `"x", "abc"`: true, "*": true, `"abd"`: false, `abc`: false,
	} {
		if got := etagMatches(header, tag); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}
