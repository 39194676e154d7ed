package ical

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

// The cross-check compares DecodeBusy with an independent implementation
// (Debian's python3-recurring-ical-events, on top of python-dateutil) over
// the shared corpus. Debian's packages are only visible to /usr/bin/python3:
// the python3 on PATH may be a pyenv build without them.
const crossCheckPython = "/usr/bin/python3"

// crossCheckExcluded lists corpus files on which the two implementations
// are expected to differ, with the reason. Keep it short and explained.
var crossCheckExcluded = map[string]string{
	// DTSTART in EST (March), UNTIL=20260511T130000Z equal to the last
	// instance in EDT (09:00 New York). RFC 5545 §3.3.10 makes UNTIL
	// inclusive, so May 11 is an instance; recurring-ical-events 2.0.1
	// (Debian 12) compares UNTIL using DTSTART's UTC offset and drops it.
	// TestDecodeBusyRecurrence covers UNTIL across DST explicitly.
	"thunderbird-until-across-dst.ics": "reference library mishandles UTC UNTIL across a DST change",
}

func TestDecodeBusyMatchesPythonReference(t *testing.T) {
	requirePythonReference(t)
	files, err := filepath.Glob("testdata/ics/*.ics")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	windows := []struct{ from, to, zone string }{
		{"2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z", "Europe/Paris"},
		{"2026-03-25T12:00:00Z", "2026-04-20T06:00:00Z", "America/New_York"},
	}
	for _, file := range files {
		if reason, ok := crossCheckExcluded[filepath.Base(file)]; ok {
			t.Logf("%s excluded: %s", file, reason)
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range windows {
			t.Run(filepath.Base(file)+"/"+w.zone, func(t *testing.T) {
				want := pythonBusy(t, file, w.from, w.to, w.zone)
				busy, err := decode(data, window(t, w.from, w.to), mustLoad(t, w.zone))
				if err != nil {
					t.Fatal(err)
				}
				if len(busy.Problems) > 0 {
					t.Errorf("problems: %v", busy.Problems)
				}
				if !sameSpans(busy.Intervals, want) {
					t.Errorf("DecodeBusy:\n%s python:\n%s", formatSpans(busy.Intervals), formatSpans(want))
				}
			})
		}
	}
}

// requirePythonReference skips when the reference is not installed, and
// fails instead on CI, where a skipped cross-check would hide regressions.
func requirePythonReference(t *testing.T) {
	t.Helper()
	err := exec.Command(crossCheckPython, "-c", "import recurring_ical_events, icalendar").Run()
	if err == nil {
		return
	}
	msg := "cross-check needs " + crossCheckPython +
		" with python3-icalendar and python3-recurring-ical-events (apt-get install python3-recurring-ical-events): " + err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func pythonBusy(t *testing.T, file, from, to, zone string) []calendar.Interval {
	t.Helper()
	out, err := exec.Command(crossCheckPython, "testdata/expand.py", file, from, to, zone).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("expand.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("expand.py: %v", err)
	}
	var pairs [][2]string
	if err := json.Unmarshal(out, &pairs); err != nil {
		t.Fatalf("expand.py output %q: %v", out, err)
	}
	ivs := make([]calendar.Interval, 0, len(pairs))
	for _, p := range pairs {
		s, err1 := time.Parse(time.RFC3339, p[0])
		e, err2 := time.Parse(time.RFC3339, p[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("expand.py pair %v", p)
		}
		ivs = append(ivs, calendar.Interval{Start: s, End: e})
	}
	return ivs
}
