package calsync

import (
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/store"
)

func TestSyncBackoff(t *testing.T) {
	s := &Service{Options: Options{SyncInterval: 5 * time.Minute}}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	cases := []struct {
		failures int
		last     *time.Time
		due      bool
	}{
		{0, nil, true},
		{0, ago(5 * time.Minute), true},
		{0, ago(2 * time.Minute), false},
		{1, ago(5 * time.Minute), false}, // waits 10 minutes
		{1, ago(10 * time.Minute), true},
		{3, ago(30 * time.Minute), false}, // waits 40 minutes
		{3, ago(40 * time.Minute), true},
		{10, ago(time.Hour - 30*time.Second), true}, // capped at an hour, minus slack
		{10, ago(50 * time.Minute), false},
		{60, ago(time.Hour), true}, // no overflow
	}
	for _, c := range cases {
		conn := store.Connection{ConsecutiveFailures: c.failures, LastAttemptAt: c.last}
		if got := s.due(conn, now); got != c.due {
			t.Errorf("failures=%d last=%v: due=%v, want %v", c.failures, c.last, got, c.due)
		}
	}
}
