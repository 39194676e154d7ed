package calendar

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// slotParisBase: a Paris mentor open 09:00-11:00 on weekdays, asked on
// Monday 2026-06-01 08:00 for Monday and Tuesday.
func slotParisBase(t *testing.T) SlotQuery {
	paris := slotTestLoc(t, "Europe/Paris")
	return SlotQuery{
		Availability: Availability{Location: paris, Weekly: slotTestWeekdays("09:00-11:00")},
		Now:          slotTestAt(t, paris, "2026-06-01 08:00"),
		From:         slotTestAt(t, paris, "2026-06-01 00:00"),
		To:           slotTestAt(t, paris, "2026-06-03 00:00"),
	}
}

func slotParisDays(days ...string) []string {
	var out []string
	for _, d := range days {
		for _, h := range []string{"09:00", "09:30", "10:00", "10:30"} {
			out = append(out, d+" "+h+"+02:00")
		}
	}
	return out
}

func TestSlotsRules(t *testing.T) {
	const mon, tue = "2026-06-01", "2026-06-02"
	cases := []struct {
		name string
		edit func(t *testing.T, q *SlotQuery)
		want []string
	}{
		{"weekly hours", nil, slotParisDays(mon, tue)},
		{"several ranges a day", func(t *testing.T, q *SlotQuery) {
			q.Weekly[time.Monday] = slotTestRanges("14:00-15:00", "09:00-10:00")
			q.To = slotTestAt(t, q.Location, "2026-06-02 00:00")
		}, []string{mon + " 09:00+02:00", mon + " 09:30+02:00", mon + " 14:00+02:00", mon + " 14:30+02:00"}},
		{"override replaces the day's hours", func(t *testing.T, q *SlotQuery) {
			q.Overrides = []Override{{Date{2026, 6, 2}, slotTestRanges("13:00-14:00")}}
		}, append(slotParisDays(mon), tue+" 13:00+02:00", tue+" 13:30+02:00")},
		{"override with no hours is a day off", func(t *testing.T, q *SlotQuery) {
			q.Overrides = []Override{{Date{2026, 6, 2}, nil}}
		}, slotParisDays(mon)},
		{"override opens a Saturday", func(t *testing.T, q *SlotQuery) {
			q.Overrides = []Override{{Date{2026, 6, 6}, slotTestRanges("10:00-11:00")}}
			q.From = slotTestAt(t, q.Location, "2026-06-06 00:00")
			q.To = slotTestAt(t, q.Location, "2026-06-08 00:00")
		}, []string{"2026-06-06 10:00+02:00", "2026-06-06 10:30+02:00"}},
		{"busy removes the slots it meets", func(t *testing.T, q *SlotQuery) {
			q.Busy = []Interval{{slotTestAt(t, q.Location, mon+" 09:15"), slotTestAt(t, q.Location, mon+" 09:45")}}
		}, append([]string{mon + " 10:00+02:00", mon + " 10:30+02:00"}, slotParisDays(tue)...)},
		{"busy touching a slot leaves it", func(t *testing.T, q *SlotQuery) {
			q.Busy = []Interval{{slotTestAt(t, q.Location, mon+" 09:30"), slotTestAt(t, q.Location, mon+" 10:00")}}
		}, append([]string{mon + " 09:00+02:00", mon + " 10:00+02:00", mon + " 10:30+02:00"}, slotParisDays(tue)...)},
		{"buffer before a session", func(t *testing.T, q *SlotQuery) {
			q.Booked = []Interval{{slotTestAt(t, q.Location, mon+" 10:00"), slotTestAt(t, q.Location, mon+" 10:30")}}
			q.BufferBefore = 15 * time.Minute
		}, append([]string{mon + " 09:00+02:00", mon + " 09:30+02:00"}, slotParisDays(tue)...)},
		{"buffer after a session", func(t *testing.T, q *SlotQuery) {
			q.Busy = []Interval{{slotTestAt(t, q.Location, mon+" 10:00"), slotTestAt(t, q.Location, mon+" 10:30")}}
			q.BufferAfter = 15 * time.Minute
		}, append([]string{mon + " 09:00+02:00", mon + " 10:30+02:00"}, slotParisDays(tue)...)},
		{"minimum notice", func(t *testing.T, q *SlotQuery) { q.MinNotice = 2 * time.Hour },
			append([]string{mon + " 10:00+02:00", mon + " 10:30+02:00"}, slotParisDays(tue)...)},
		{"notice ending off the grid", func(t *testing.T, q *SlotQuery) {
			q.Now = q.Now.Add(10 * time.Minute)
			q.MinNotice = time.Hour
		}, append([]string{mon + " 09:30+02:00", mon + " 10:00+02:00", mon + " 10:30+02:00"}, slotParisDays(tue)...)},
		{"horizon runs through the end of local today+N", func(t *testing.T, q *SlotQuery) {
			q.HorizonDays = 1
			q.Now = slotTestAt(t, q.Location, mon+" 23:30") // still Monday in Paris, Monday in UTC too
			q.To = slotTestAt(t, q.Location, "2026-06-05 00:00")
		}, slotParisDays(tue)},
		{"horizon counts local days, not UTC ones", func(t *testing.T, q *SlotQuery) {
			q.HorizonDays = 1
			q.Now = slotTestAt(t, q.Location, "2026-05-31 01:00") // Sunday in Paris, Saturday in UTC
		}, slotParisDays(mon)},
		{"per-day cap counts the mentor's local day", func(t *testing.T, q *SlotQuery) {
			q.MaxPerDay = 1
			// 00:30 Tuesday in Paris is still Monday in UTC.
			q.Booked = []Interval{{slotTestAt(t, q.Location, tue+" 00:30"), slotTestAt(t, q.Location, tue+" 01:00")}}
		}, slotParisDays(mon)},
		{"per-day cap not yet reached", func(t *testing.T, q *SlotQuery) {
			q.MaxPerDay = 2
			q.Booked = []Interval{{slotTestAt(t, q.Location, tue+" 09:00"), slotTestAt(t, q.Location, tue+" 09:30")}}
		}, append(slotParisDays(mon), tue+" 09:30+02:00", tue+" 10:00+02:00", tue+" 10:30+02:00")},
		{"window selects by start", func(t *testing.T, q *SlotQuery) {
			q.From = slotTestAt(t, q.Location, mon+" 09:15")
			q.To = slotTestAt(t, q.Location, mon+" 10:15")
		}, []string{mon + " 09:30+02:00", mon + " 10:00+02:00"}},
		{"window end is exclusive", func(t *testing.T, q *SlotQuery) {
			q.From = slotTestAt(t, q.Location, mon+" 09:00")
			q.To = slotTestAt(t, q.Location, mon+" 10:00")
		}, []string{mon + " 09:00+02:00", mon + " 09:30+02:00"}},
		{"long sessions stay inside hours", func(t *testing.T, q *SlotQuery) { q.Session = time.Hour },
			[]string{mon + " 09:00+02:00", mon + " 09:30+02:00", mon + " 10:00+02:00", tue + " 09:00+02:00", tue + " 09:30+02:00", tue + " 10:00+02:00"}},
		{"step aligns on the wall clock, not on the range start", func(t *testing.T, q *SlotQuery) {
			q.Weekly[time.Monday] = slotTestRanges("09:10-12:00")
			q.Step = 45 * time.Minute
			q.To = slotTestAt(t, q.Location, tue+" 00:00")
		}, []string{mon + " 09:45+02:00", mon + " 10:30+02:00", mon + " 11:15+02:00"}},
		{"step of 15 minutes", func(t *testing.T, q *SlotQuery) {
			q.Weekly[time.Monday] = slotTestRanges("09:00-10:00")
			q.Step, q.Session = 15*time.Minute, 15*time.Minute
			q.To = slotTestAt(t, q.Location, tue+" 00:00")
		}, []string{mon + " 09:00+02:00", mon + " 09:15+02:00", mon + " 09:30+02:00", mon + " 09:45+02:00"}},
		{"24:00 joins the next day's 00:00", func(t *testing.T, q *SlotQuery) {
			q.Weekly[time.Monday] = slotTestRanges("23:00-24:00")
			q.Weekly[time.Tuesday] = slotTestRanges("00:00-01:00")
			q.Session = time.Hour
		}, []string{mon + " 23:00+02:00", mon + " 23:30+02:00", tue + " 00:00+02:00"}},
		{"fractional window bounds", func(t *testing.T, q *SlotQuery) {
			q.From = slotTestAt(t, q.Location, mon+" 09:00").Add(time.Nanosecond)
			q.To = slotTestAt(t, q.Location, mon+" 10:00").Add(time.Nanosecond)
		}, []string{mon + " 09:30+02:00", mon + " 10:00+02:00"}},
		{"busy with fractional seconds still blocks", func(t *testing.T, q *SlotQuery) {
			at := slotTestAt(t, q.Location, mon+" 09:30")
			q.Busy = []Interval{{at.Add(-time.Nanosecond), at.Add(time.Nanosecond)}}
			q.To = slotTestAt(t, q.Location, tue+" 00:00")
		}, []string{mon + " 10:00+02:00", mon + " 10:30+02:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := slotParisBase(t)
			if c.edit != nil {
				c.edit(t, &q)
			}
			got := slotTestMust(t, q)
			slotTestEqual(t, slotTestStarts(got, q.Location), c.want)
			for _, s := range got {
				if want := q.Session; want == 0 && s.Duration() != DefaultSession || want != 0 && s.Duration() != want {
					t.Errorf("slot %v lasts %v", s.Start, s.Duration())
				}
			}
		})
	}
}

func TestSlotsSessionLengths(t *testing.T) {
	q := slotParisBase(t)
	q.Weekly = slotTestEveryDay("08:00-20:00")
	q.From = slotTestAt(t, q.Location, "2026-06-01 00:00")
	q.To = slotTestAt(t, q.Location, "2026-06-02 00:00")
	q.Now = q.From
	for minutes := 15; minutes <= 240; minutes += 15 {
		q.Session = time.Duration(minutes) * time.Minute
		got := slotTestMust(t, q)
		if want := (720-minutes)/30 + 1; len(got) != want {
			t.Errorf("%d min: %d slots, want %d", minutes, len(got), want)
		}
		for _, s := range got {
			if s.Duration() != q.Session || s.End.After(slotTestAt(t, q.Location, "2026-06-01 20:00")) {
				t.Errorf("%d min: bad slot %v-%v", minutes, s.Start, s.End)
			}
		}
	}
	for _, bad := range []time.Duration{-15 * time.Minute, 10 * time.Minute, 20 * time.Minute, 250 * time.Minute, 255 * time.Minute, 30*time.Minute + time.Second} {
		q.Session = bad
		_, err := Slots(q)
		var ae *AvailabilityError
		if !errors.As(err, &ae) || ae.Field != "session" {
			t.Errorf("session %v: err %v, want a session error", bad, err)
		}
	}
}

func TestSlotsRejectsBadQueries(t *testing.T) {
	cases := []struct {
		field string
		edit  func(q *SlotQuery)
	}{
		{"timezone", func(q *SlotQuery) { q.Location = nil }},
		{"weekly_hours.monday[0]", func(q *SlotQuery) { q.Weekly[time.Monday] = []HoursRange{{600, 540}} }},
		{"step", func(q *SlotQuery) { q.Step = 7 * time.Minute }},
		{"buffer_before", func(q *SlotQuery) { q.BufferBefore = -time.Minute }},
		{"buffer_after", func(q *SlotQuery) { q.BufferAfter = 25 * time.Hour }},
		{"min_notice", func(q *SlotQuery) { q.MinNotice = -time.Second }},
		{"horizon_days", func(q *SlotQuery) { q.HorizonDays = -1 }},
		{"max_per_day", func(q *SlotQuery) { q.MaxPerDay = -2 }},
		{"now", func(q *SlotQuery) { q.Now = time.Time{} }},
		{"window", func(q *SlotQuery) { q.To = q.From }},
		{"window", func(q *SlotQuery) { q.To = q.From.Add(367 * 24 * time.Hour) }},
	}
	for _, c := range cases {
		q := slotParisBase(t)
		c.edit(&q)
		_, err := Slots(q)
		var ae *AvailabilityError
		if !errors.As(err, &ae) || ae.Field != c.field {
			t.Errorf("want an error on %s, got %v", c.field, err)
		}
	}
}

func TestSlotsSameInstantsForEveryVisitor(t *testing.T) {
	// A mentor in Paris and a mentee in Montréal see the same instants.
	q := slotParisBase(t)
	toronto := slotTestLoc(t, "America/Toronto")
	paris := slotTestLoc(t, "Europe/Paris")
	var base []Interval
	for i, visitor := range []*time.Location{nil, paris, toronto, slotTestLoc(t, "Asia/Kolkata")} {
		q.Visitor = visitor
		got := slotTestMust(t, q)
		if i == 0 {
			base = got
			continue
		}
		if len(got) != len(base) {
			t.Fatalf("%v: %d slots, want %d", visitor, len(got), len(base))
		}
		for j := range got {
			if !got[j].Start.Equal(base[j].Start) || !got[j].End.Equal(base[j].End) {
				t.Errorf("%v: slot %d differs", visitor, j)
			}
			if got[j].Start.Location() != visitor || got[j].End.Location() != visitor {
				t.Errorf("%v: slot %d not in the visitor's zone", visitor, j)
			}
		}
	}
	q.Visitor = toronto
	first := slotTestMust(t, q)[0]
	if s := first.Start.Format(time.RFC3339); s != "2026-06-01T03:00:00-04:00" {
		t.Errorf("first slot in Montréal = %s, want 03:00 (09:00 in Paris)", s)
	}
}

func TestSlotsLeavesInputsAlone(t *testing.T) {
	q := slotParisBase(t)
	at := func(s string) time.Time { return slotTestAt(t, q.Location, s) }
	q.Busy = []Interval{{at("2026-06-02 10:00"), at("2026-06-02 10:30")}, {at("2026-06-01 09:00"), at("2026-06-01 09:30")}, {at("2026-06-01 09:15"), at("2026-06-01 09:45")}}
	q.Booked = []Interval{{at("2026-06-02 09:00"), at("2026-06-02 09:30")}, {at("2026-06-01 10:00"), at("2026-06-01 10:30")}}
	busy, booked := slices.Clone(q.Busy), slices.Clone(q.Booked)
	slotTestEqual(t, slotTestStarts(slotTestMust(t, q), q.Location),
		[]string{"2026-06-01 10:30+02:00", "2026-06-02 09:30+02:00", "2026-06-02 10:30+02:00"})
	if !slices.Equal(q.Busy, busy) || !slices.Equal(q.Booked, booked) {
		t.Error("Slots modified the caller's busy or booked slices")
	}
}

func TestSlotOfferedAgreesWithSlots(t *testing.T) {
	q := slotParisBase(t)
	at := func(s string) time.Time { return slotTestAt(t, q.Location, s) }
	q.Busy = []Interval{{at("2026-06-01 09:30"), at("2026-06-01 10:00")}}
	q.MinNotice = 30 * time.Minute
	offered := map[int64]bool{}
	for _, s := range slotTestMust(t, q) {
		offered[s.Start.Unix()] = true
	}
	for m := 0; m < 2*24*60; m += 15 {
		start := q.From.Add(time.Duration(m) * time.Minute)
		ok, err := SlotOffered(q, start)
		if err != nil {
			t.Fatal(err)
		}
		if ok != offered[start.Unix()] {
			t.Errorf("SlotOffered(%s) = %v, Slots says %v", start.Format(time.RFC3339), ok, !ok)
		}
	}
	if ok, _ := SlotOffered(q, at("2026-06-01 09:00").Add(time.Second)); ok {
		t.Error("a start off the grid by a second is offered")
	}
}
