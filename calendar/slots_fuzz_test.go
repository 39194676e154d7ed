package calendar

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// FuzzSlots maps arbitrary bytes to a query (sometimes with raw, wild
// durations and counts): Slots must never panic, and what it answers must
// hold the invariants and, for plausible queries, match the reference.
func FuzzSlots(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("rendezvous"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252, 253, 254, 255, 0, 0, 0, 1, 128, 7, 9, 42})
	zones := slotTestZones(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pick := func(n int) int {
			if len(data) < 2 {
				return 0
			}
			v := int(binary.LittleEndian.Uint16(data))
			data = data[2:]
			return v % n
		}
		raw := func() int64 {
			if len(data) < 8 {
				return 0
			}
			v := int64(binary.LittleEndian.Uint64(data))
			data = data[8:]
			return v
		}
		wild := pick(4) == 0
		q := slotGenQuery(t, pick, zones)
		if wild {
			q.Session, q.Step = time.Duration(raw()), time.Duration(raw())
			q.BufferBefore, q.BufferAfter, q.MinNotice = time.Duration(raw()), time.Duration(raw()), time.Duration(raw())
			q.HorizonDays, q.MaxPerDay = int(raw()), int(raw())
			q.From = q.From.Add(time.Duration(raw()))
			q.To = q.From.Add(time.Duration(raw()))
			q.Now = q.Now.Add(time.Duration(raw()))
		}
		slots, err := Slots(q)
		if err != nil {
			return
		}
		slotCheckInvariants(t, q, slots)
		if q.To.Sub(q.From) <= 8*24*time.Hour {
			var got []int64
			for _, s := range slots {
				got = append(got, s.Start.Unix())
			}
			if want := slotReference(q); !slices.Equal(got, want) {
				t.Fatalf("Slots and the reference differ:\n got  %v\n want %v", got, want)
			}
		}
	})
}

// TestSlotsAtTheEdgesOfTime: far-away instants in odd zones must neither
// panic nor loop.
func TestSlotsAtTheEdgesOfTime(t *testing.T) {
	zones := slotTestZones(t)
	for _, from := range []time.Time{
		{}, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1883, 11, 18, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC), time.Unix(1<<40, 0), time.Unix(-1<<40, 0),
	} {
		for _, loc := range zones {
			q := SlotQuery{
				Availability: Availability{Location: loc, Weekly: slotTestEveryDay("00:00-24:00")},
				Now:          from.Add(-time.Hour), From: from, To: from.Add(3 * 24 * time.Hour),
				Busy: []Interval{{from, from.Add(time.Hour)}}, Booked: []Interval{{from.Add(5 * time.Hour), from.Add(6 * time.Hour)}},
				MaxPerDay: 3, HorizonDays: 2, Step: 15 * time.Minute,
			}
			slots, err := Slots(q)
			if err != nil {
				continue
			}
			slotCheckInvariants(t, q, slots)
			if len(slots) == 0 {
				t.Errorf("%s at %s: no slots in an always-open calendar", loc, from)
			}
		}
	}
}
