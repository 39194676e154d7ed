package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// slotBenchQuery: a Paris mentor with three ranges every day, 500 busy
// intervals in random order over a 28-day window.
func slotBenchQuery(b *testing.B) SlotQuery {
	paris := slotTestLoc(b, "Europe/Paris")
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, paris)
	to := from.AddDate(0, 0, 28)
	r := rand.New(rand.NewPCG(7, 7))
	busy := make([]Interval, 500)
	for i := range busy {
		s := from.Add(time.Duration(r.IntN(28*24*4)) * 15 * time.Minute)
		busy[i] = Interval{s, s.Add(time.Duration(1+r.IntN(8)) * 15 * time.Minute)}
	}
	return SlotQuery{
		Availability: Availability{Location: paris, Weekly: slotTestEveryDay("08:00-12:00", "13:00-17:00", "18:00-20:00")},
		Busy:         busy,
		BufferBefore: 10 * time.Minute,
		BufferAfter:  10 * time.Minute,
		MinNotice:    4 * time.Hour,
		HorizonDays:  60,
		Now:          from.Add(-time.Hour),
		From:         from,
		To:           to,
		Visitor:      slotTestLoc(b, "America/Toronto"),
	}
}

func BenchmarkSlots(b *testing.B) {
	q := slotBenchQuery(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		slots, err := Slots(q)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	if n == 0 {
		b.Fatal("no slots")
	}
}

func BenchmarkSlotOffered(b *testing.B) {
	q := slotBenchQuery(b)
	slots, err := Slots(q)
	if err != nil || len(slots) == 0 {
		b.Fatal("no slots", err)
	}
	start := slots[len(slots)/2].Start
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := SlotOffered(q, start); !ok {
			b.Fatal("not offered")
		}
	}
}
