package ical

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debianPython is Debian's interpreter: the python3 on PATH here is a pyenv
// build that cannot import Debian's python3-icalendar.
const debianPython = "/usr/bin/python3"

// requireICalendarValidator skips when python3-icalendar is missing, except
// in CI where a missing validator must not turn into a silent pass.
func requireICalendarValidator(t *testing.T) {
	t.Helper()
	err := exec.Command(debianPython, "-c", "import icalendar").Run()
	if err == nil {
		return
	}
	msg := "python3-icalendar is not available to " + debianPython + " (apt-get install python3-icalendar): " + err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestEncodedCalendarsPassPythonICalendar(t *testing.T) {
	requireICalendarValidator(t)
	s := sampleSession()
	long := s
	long.Summary = strings.Repeat("Séance de mentorat avec 李小龙 et Groß; ", 8)
	long.Attendee.Name = strings.Repeat("Zoë-李", 20)
	cancelled := s
	cancelled.Cancelled = true
	cancelled.Sequence++

	outputs := map[string]struct {
		kind   string
		encode func() ([]byte, error)
	}{
		"request":           {"request", func() ([]byte, error) { return EncodeInvite(MethodRequest, s) }},
		"request long utf8": {"request", func() ([]byte, error) { return EncodeInvite(MethodRequest, long) }},
		"cancel":            {"cancel", func() ([]byte, error) { return EncodeInvite(MethodCancel, cancelled) }},
		"object":            {"object", func() ([]byte, error) { return EncodeObject(s) }},
		"feed":              {"feed", func() ([]byte, error) { return EncodeFeed(feedOf(25)) }},
	}
	dir := t.TempDir()
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			data, err := out.encode()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".ics")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(debianPython, filepath.Join("testdata", "validate_ics.py"), out.kind, path)
			result, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(result)) != "OK" {
				t.Fatalf("validate_ics.py %s: %v: %s\n%s", out.kind, err, result, data)
			}
		})
	}
}
