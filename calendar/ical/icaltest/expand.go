// Package icaltest expands iCalendar data with two independent
// implementations, for tests: Debian's python3-recurring-ical-events and
// ical.js (from .ci/npm). What a client holds must expand to exactly the
// sessions it should show.
package icaltest

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

//go:embed expand.py
var expandPython string

//go:embed expand.cjs
var expandJS string

// python is Debian's interpreter: the python3 on PATH may be a pyenv
// build that does not see Debian's packages.
const pythonPath = "/usr/bin/python3"

// Starts are UTC starts as RFC 3339 strings, sorted.
type Starts []string

// Format renders times as Starts.
func Format(ts ...time.Time) Starts {
	out := make(Starts, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339)
	}
	return out
}

// Expand returns the starts of the events of data that are not
// cancelled, between from and to, by recurring-ical-events and by
// ical.js. A missing tool skips the test (fails it under CI=true).
func Expand(t testing.TB, data []byte, from, to time.Time) (python, icaljs Starts) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "cal.ics")
	write(t, file, data)
	py := filepath.Join(dir, "expand.py")
	write(t, py, []byte(expandPython))
	js := filepath.Join(dir, "expand.cjs")
	write(t, js, []byte(expandJS))
	lib := icalJS(t)
	return run(t, pythonPath, py, file, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)),
		run(t, "node", js, lib, file)
}

func write(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, name string, args ...string) Starts {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, args[0], err, out)
	}
	var s Starts
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			s = append(s, line)
		}
	}
	return s
}

// icalJS finds ical.js in .ci/npm above the working directory, and checks
// the Python reference.
func icalJS(t testing.TB) string {
	t.Helper()
	if err := exec.Command(pythonPath, "-c", "import recurring_ical_events, icalendar").Run(); err != nil {
		unavailable(t, pythonPath+" with python3-recurring-ical-events (apt-get install python3-recurring-ical-events): "+err.Error())
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		lib := filepath.Join(dir, ".ci", "npm", "node_modules", "ical.js", "dist", "ical.es5.cjs")
		if _, err := os.Stat(lib); err == nil {
			if _, err := exec.LookPath("node"); err != nil {
				unavailable(t, "node is not installed")
			}
			return lib
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			unavailable(t, "ical.js is not installed: npm ci --prefix .ci/npm")
		}
		dir = parent
	}
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI=true: %s", why)
	}
	t.Skip(why)
}

// Equal reports whether two lists of starts are the same.
func Equal(a, b Starts) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
