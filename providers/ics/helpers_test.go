package ics

import (
	"time"

	"github.com/rendezvous/rendezvous/calendar"
)

var testWindow = calendar.Interval{
	Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	End:   time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}
