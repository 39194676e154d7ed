package signin

import (
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/secret"
)

func TestSessionValues(t *testing.T) {
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	s := &Service{box: box, now: func() time.Time { return now }}
	value, _ := s.Session("mentor-1")
	if id, ok := s.MentorOf(value); !ok || id != "mentor-1" {
		t.Fatalf("MentorOf(own value) = %q %v", id, ok)
	}
	forged := strings.Replace(value, "mentor-1", "mentor-2", 1)
	for _, bad := range []string{"", "mentor-1", forged, value + "x", "a.b.c"} {
		if _, ok := s.MentorOf(bad); ok {
			t.Errorf("MentorOf(%q) accepted", bad)
		}
	}
	now = now.Add(SessionLifetime + time.Second)
	if _, ok := s.MentorOf(value); ok {
		t.Error("an expired session was accepted")
	}
}
