package booking_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// seriesBenchDatabases open the databases of the series benchmarks, a
// fresh one for each run: PostgreSQL (the production target), and SQLite.
var seriesBenchDatabases = []struct {
	Name string
	open func(testing.TB) storetest.Database
}{{"postgres", storetest.Postgres}, {"sqlite", storetest.SQLite}}

// heavyMentor is a mentor open 08:00-20:00 every day in Paris whose 50
// calendars (2,000 intervals each: one seeding transaction each stays
// within the store's statement timeout on a loaded machine) hold 100,000 busy intervals over 700 days, 143 a day dealt
// out to the calendars in turn: twelve 30-minute meetings on the hours from 07:00 to 18:00 UTC (the half hours between
// stay free) and the night from 19:00 UTC in 131 five-minute pieces.
func heavyMentor(b *testing.B, f *fixture) *mentoring.CreatedMentor {
	m := f.mentor("Heavy", func(in *mentoring.MentorInput) {
		tz, places, horizon := "Europe/Paris", 10_000, 365
		in.Timezone, in.MaxMentees, in.HorizonDays = &tz, &places, &horizon
	})
	ctx := context.Background()
	const calendars, total, perDay = 50, 100_000, 143
	rows := make([][]store.BusyInterval, calendars)
	day0 := f.now.Truncate(24 * time.Hour)
	for j := range total {
		day, k := day0.AddDate(0, 0, j/perDay), j%perDay
		var iv store.BusyInterval
		if k < 12 {
			iv.StartAt = day.Add(time.Duration(7+k) * time.Hour)
			iv.EndAt = iv.StartAt.Add(30 * time.Minute)
		} else {
			iv.StartAt = day.Add(19*time.Hour + time.Duration(k-12)*5*time.Minute)
			iv.EndAt = iv.StartAt.Add(5 * time.Minute)
		}
		rows[j%calendars] = append(rows[j%calendars], iv)
	}
	for c := range calendars {
		conn := &store.Connection{ID: fmt.Sprintf("conn-%d", c), MentorID: m.ID, Provider: "caldav", URL: "https://cal.example.org/",
			Status: "ok", CreatedAt: f.now, UpdatedAt: f.now}
		cal := &store.Calendar{ID: fmt.Sprintf("cal-%d", c), ConnectionID: conn.ID, MentorID: m.ID, Ref: "/cal/", Name: "Work",
			CheckConflicts: true, CreatedAt: f.now}
		err := f.store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertConnection(ctx, conn); err != nil {
				return err
			}
			if err := tx.InsertCalendar(ctx, cal); err != nil {
				return err
			}
			return tx.ReplaceCalendarBusy(ctx, m.ID, cal.ID, rows[c])
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return m
}

// reportLatencies reports the p50 and p99 of the timed calls.
func reportLatencies(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkSeriesPreview previews a 26-week series of a mentor with
// 100,000 busy intervals in the database, each call from another week.
func BenchmarkSeriesPreview(b *testing.B) {
	for _, db := range seriesBenchDatabases {
		b.Run(db.Name, func(b *testing.B) {
			f := newFixture(b, db.open(b))
			m := heavyMentor(b, f)
			_, link := f.mentee(m.ID, "Zoe")
			ctx := context.Background()
			first := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// Every other start is taken (then reasons and
				// alternatives are worked out).
				start := first.AddDate(0, 0, i%28).Add(time.Duration(i%16) * 30 * time.Minute)
				t0 := time.Now()
				p, err := f.book.PreviewSeries(ctx, link, start, 26, 1, "America/Toronto")
				took = append(took, time.Since(t0))
				if err != nil || len(p.Occurrences) != 26 {
					b.Fatalf("preview: %v", err)
				}
			}
			reportLatencies(b, took)
		})
	}
}

// BenchmarkSeriesBook books a 26-week series (skipping what is taken)
// for a new mentee each time, on the same heavy mentor.
func BenchmarkSeriesBook(b *testing.B) {
	for _, db := range seriesBenchDatabases {
		b.Run(db.Name, func(b *testing.B) {
			f := newFixture(b, db.open(b))
			m := heavyMentor(b, f)
			ctx := context.Background()
			first := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
			var links []string
			for i := range 200 {
				_, link := f.mentee(m.ID, fmt.Sprintf("Mentee%03d", i))
				links = append(links, link)
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if i >= len(links) {
					b.StopTimer()
					_, link := f.mentee(m.ID, fmt.Sprintf("More%05d", i))
					links = append(links, link)
					b.StartTimer()
				}
				start := first.AddDate(0, 0, i%28).Add(30*time.Minute + time.Duration(i/28%11)*time.Hour)
				t0 := time.Now()
				_, _, err := f.book.BookSeries(ctx, links[i], booking.SeriesInput{Start: start, Count: 26, IntervalWeeks: 1, SkipUnavailable: true}, nil)
				took = append(took, time.Since(t0))
				if err != nil && !isUnavailable(err) {
					b.Fatalf("book: %v", err)
				}
			}
			reportLatencies(b, took)
		})
	}
}

func isUnavailable(err error) bool { return apperr.CodeOf(err) == apperr.SlotUnavailable }
