package calendar

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Zones whose offsets and transitions have been whole quarter hours since
// 2000, so that checking hours every 15 minutes is exact.
var slotTestZoneNames = []string{
	"UTC", "Europe/Paris", "America/New_York", "America/Sao_Paulo", "America/Havana",
	"Asia/Beirut", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Apia",
	"America/St_Johns", "Pacific/Chatham", "America/Toronto",
}

// Zone changes that random queries are steered to half of the time.
var slotTestHotSpots = []struct{ zone, date string }{
	{"America/New_York", "2026-03-08"}, {"Europe/Paris", "2026-03-29"}, {"Australia/Lord_Howe", "2026-04-05"},
	{"Australia/Lord_Howe", "2026-10-04"}, {"Europe/Paris", "2026-10-25"}, {"America/New_York", "2026-11-01"},
	{"America/Sao_Paulo", "2018-11-04"}, {"America/Sao_Paulo", "2019-02-16"}, {"Pacific/Apia", "2011-12-30"},
	{"America/Havana", "2026-03-08"}, {"America/Havana", "2026-11-01"}, {"Asia/Beirut", "2026-03-29"},
	{"Asia/Beirut", "2026-10-24"}, {"Pacific/Chatham", "2026-04-05"}, {"America/St_Johns", "2026-11-01"},
}

// slotGenQuery builds a query from a source of small numbers (pick(n) is in
// [0, n)), shared by the property test and the fuzz target.
func slotGenQuery(t testing.TB, pick func(n int) int, zones []*time.Location) SlotQuery {
	loc := zones[pick(len(zones))]
	var base time.Time
	hotSpot := pick(2) == 0
	if hotSpot {
		hot := slotTestHotSpots[pick(len(slotTestHotSpots))]
		loc = zones[slices.Index(slotTestZoneNames, hot.zone)]
		d, _ := time.Parse(time.DateOnly, hot.date)
		base = d.Add(-48 * time.Hour)
	} else {
		base = time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(pick(20*365*24)) * time.Hour)
	}
	genDay := func() []HoursRange {
		k := pick(4)
		cuts := make([]int, 0, 2*k)
		for len(cuts) < 2*k {
			c := pick(97)
			for slices.Contains(cuts, c) { // probe, so that a constant pick terminates
				c = (c + 1) % 97
			}
			cuts = append(cuts, c)
		}
		slices.Sort(cuts)
		var out []HoursRange
		for i := 0; i+1 < len(cuts); i += 2 {
			out = append(out, HoursRange{Clock(cuts[i] * 15), Clock(cuts[i+1] * 15)})
		}
		return out
	}
	q := SlotQuery{Availability: Availability{Location: loc}}
	for d := range q.Weekly {
		if pick(5) > 0 {
			q.Weekly[d] = genDay()
		}
	}
	for n := pick(4); n > 0; n-- {
		date := DateOf(base.In(loc)).AddDays(pick(12) - 3)
		if !slices.ContainsFunc(q.Overrides, func(o Override) bool { return o.Date == date }) {
			q.Overrides = append(q.Overrides, Override{date, genDay()})
		}
	}
	if pick(2) == 0 {
		q.Session = time.Duration(15*(1+pick(16))) * time.Minute
	}
	if pick(2) == 0 {
		q.Step = time.Duration(15*(1+pick(16))) * time.Minute
	}
	if pick(3) == 0 {
		q.BufferBefore = time.Duration(5*pick(13)) * time.Minute
		q.BufferAfter = time.Duration(5*pick(13)) * time.Minute
	}
	if pick(2) == 0 {
		q.MinNotice = time.Duration(pick(48*60)) * time.Minute
	}
	q.HorizonDays = pick(11)
	q.MaxPerDay = pick(4)
	q.Now = base.Add(time.Duration(pick(86400)) * time.Second)
	q.From = q.Now.Add(time.Duration(pick(4*86400)-2*86400) * time.Second)
	if pick(4) == 0 {
		q.From = q.From.Add(time.Duration(pick(1e9)))
	}
	q.To = q.From.Add(time.Duration(1+pick(7*24*60)) * time.Minute)
	if hotSpot { // make the window cover the zone change
		q.Now = base.Add(-time.Duration(pick(48*60)) * time.Minute)
		q.From = base.Add(time.Duration(pick(48*60)) * time.Minute)
		q.To = q.From.Add(time.Duration(24*60+pick(4*24*60)) * time.Minute)
		q.HorizonDays *= 2
	}
	span := q.To.Sub(q.From) + 48*time.Hour
	genInterval := func(maxLen int) Interval {
		s := q.From.Add(-24*time.Hour + time.Duration(pick(int(span/time.Minute)))*time.Minute)
		if pick(5) == 0 {
			s = s.Add(time.Duration(pick(60)) * time.Second)
		}
		return Interval{s, s.Add(time.Duration(1+pick(maxLen)) * time.Minute)}
	}
	for n := pick(16); n > 0; n-- {
		q.Busy = append(q.Busy, genInterval(3*60))
	}
	for n := pick(8); n > 0; n-- {
		q.Booked = append(q.Booked, genInterval(120))
	}
	q.Visitor = zones[pick(len(zones))]
	return q
}

// slotReference is a deliberately naive Slots: it walks every quarter hour
// and checks each rule directly against the definitions in SlotQuery.
func slotReference(q SlotQuery) []int64 {
	loc, session, step := q.Location, q.Session, q.Step
	if session == 0 {
		session = DefaultSession
	}
	if step == 0 {
		step = DefaultStep
	}
	open := func(u time.Time) bool {
		l := u.In(loc)
		c := Clock(l.Hour()*60 + l.Minute())
		for _, r := range q.HoursOn(DateOf(l)) {
			if r.Start <= c && c < r.End {
				return true
			}
		}
		return false
	}
	today := DateOf(q.Now.In(loc))
	var out []int64
	last := -hoursFar
	for u := q.From.Truncate(15 * time.Minute).Add(-72 * time.Hour); u.Before(q.To); u = u.Add(15 * time.Minute) {
		l := u.In(loc)
		if l.Second() != 0 || time.Duration(l.Hour()*60+l.Minute())*time.Minute%step != 0 {
			continue
		}
		fits := true
		for k := time.Duration(0); k < session && fits; k += 15 * time.Minute {
			fits = open(u.Add(k))
		}
		if !fits || u.Unix() < last+int64(step/time.Second) {
			continue
		}
		last = u.Unix()
		day := DateOf(l)
		if u.Before(q.From) || u.Before(q.Now.Add(q.MinNotice)) ||
			q.HorizonDays > 0 && day.Compare(today.AddDays(q.HorizonDays)) > 0 {
			continue
		}
		booked := 0
		for _, b := range q.Booked {
			if b.Valid() && DateOf(b.Start.In(loc)) == day {
				booked++
			}
		}
		if q.MaxPerDay > 0 && booked >= q.MaxPerDay {
			continue
		}
		guarded := Interval{u.Add(-q.BufferBefore), u.Add(session + q.BufferAfter)}
		if slices.ContainsFunc(q.Busy, guarded.Overlaps) || slices.ContainsFunc(q.Booked, guarded.Overlaps) {
			continue
		}
		out = append(out, u.Unix())
	}
	return out
}

// slotCheckInvariants asserts what every answer of Slots must satisfy,
// independently of the reference.
func slotCheckInvariants(t testing.TB, q SlotQuery, slots []Interval) {
	t.Helper()
	session, step := slotTestOr(q.Session, DefaultSession), slotTestOr(q.Step, DefaultStep)
	visitor := q.Visitor
	if visitor == nil {
		visitor = time.UTC
	}
	for i, s := range slots {
		l := s.Start.In(q.Location)
		switch {
		case s.Duration() != session:
			t.Fatalf("slot %d lasts %v", i, s.Duration())
		case s.Start.Location() != visitor:
			t.Fatalf("slot %d is not in the visitor's zone", i)
		case s.Start.Before(q.From) || !s.Start.Before(q.To):
			t.Fatalf("slot %d starts outside the window", i)
		case s.Start.Before(q.Now.Add(q.MinNotice)):
			t.Fatalf("slot %d ignores the notice", i)
		case l.Second() != 0 || time.Duration(l.Hour()*60+l.Minute())*time.Minute%step != 0:
			t.Fatalf("slot %d at %s is off the %v grid", i, l.Format(time.RFC3339), step)
		case i > 0 && !slots[i-1].Start.Before(s.Start):
			t.Fatalf("slots %d and %d out of order", i-1, i)
		case i > 0 && step >= session && s.Start.Before(slots[i-1].End):
			t.Fatalf("slots %d and %d overlap", i-1, i)
		}
		guarded := Interval{s.Start.Add(-q.BufferBefore), s.End.Add(q.BufferAfter)}
		if slices.ContainsFunc(q.Busy, guarded.Overlaps) || slices.ContainsFunc(q.Booked, guarded.Overlaps) {
			t.Fatalf("slot %d meets busy time", i)
		}
		for u := s.Start; u.Before(s.End); u = u.Add(15 * time.Minute) {
			ul := u.In(q.Location)
			c := Clock(ul.Hour()*60 + ul.Minute())
			if !slices.ContainsFunc(q.HoursOn(DateOf(ul)), func(r HoursRange) bool { return r.Start <= c && c < r.End }) {
				t.Fatalf("slot %d leaves the hours at %s", i, ul.Format(time.RFC3339))
			}
		}
		if q.MaxPerDay > 0 {
			n := 0
			for _, b := range q.Booked {
				if b.Valid() && DateOf(b.Start.In(q.Location)) == DateOf(l) {
					n++
				}
			}
			if n >= q.MaxPerDay {
				t.Fatalf("slot %d on a full day", i)
			}
		}
	}
}

func slotTestOr(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

func slotTestZones(t testing.TB) []*time.Location {
	zones := make([]*time.Location, len(slotTestZoneNames))
	for i, n := range slotTestZoneNames {
		zones[i] = slotTestLoc(t, n)
	}
	return zones
}

func TestSlotsProperties(t *testing.T) {
	zones := slotTestZones(t)
	for seed := uint64(0); seed < 2000; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5107))
		q := slotGenQuery(t, r.IntN, zones)
		busy := slices.Clone(q.Busy)
		slots, err := Slots(q)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		slotCheckInvariants(t, q, slots)
		var got []int64
		for _, s := range slots {
			got = append(got, s.Start.Unix())
		}
		if want := slotReference(q); !slices.Equal(got, want) {
			t.Fatalf("seed %d (%s): Slots and the reference differ:\n got  %v\n want %v", seed, q.Location, got, want)
		}
		if !slices.Equal(busy, q.Busy) {
			t.Fatalf("seed %d: busy modified", seed)
		}
		for _, s := range slots {
			if ok, err := SlotOffered(q, s.Start); !ok || err != nil {
				t.Fatalf("seed %d: listed slot %s not offered (%v)", seed, s.Start.Format(time.RFC3339), err)
			}
		}
		for range 10 {
			u := q.From.Truncate(15 * time.Minute).Add(time.Duration(r.IntN(7*96)) * 15 * time.Minute)
			ok, _ := SlotOffered(q, u)
			if listed := slices.Contains(got, u.Unix()) && !u.Before(q.From) && u.Before(q.To); ok != listed && !u.Before(q.From) && u.Before(q.To) {
				t.Fatalf("seed %d: SlotOffered(%s) = %v, Slots lists it: %v", seed, u.Format(time.RFC3339), ok, listed)
			}
		}
	}
}
