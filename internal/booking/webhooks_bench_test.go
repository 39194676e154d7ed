package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
	"github.com/rendezvous/rendezvous/internal/webhooks"
	"github.com/rendezvous/rendezvous/providers/video"
)

// BenchmarkBookWithWebhooks books sessions with River inserting the
// jobs in the transaction, alternately on a database with no webhook
// endpoint and on one with three endpoints subscribed to every event, so
// that both see the same load on a shared machine. It reports the median
// booking of each and their difference: what webhook enqueue adds to a
// booking (target: under 1 ms). "mentee-link" books from a mentee's own
// link (one event, booking.created; the mentee is added untimed);
// "public-link" books from the mentor's public link, which adds the
// booker as a mentee too (two events).
func BenchmarkBookWithWebhooks(b *testing.B) {
	for _, db := range []func(testing.TB) storetest.Database{storetest.SQLite, storetest.Postgres} {
		for _, public := range []bool{false, true} {
			name := db(b).Name + "/mentee-link"
			if public {
				name = db(b).Name + "/public-link"
			}
			b.Run(name, func(b *testing.B) { benchmarkBookWithWebhooks(b, db, public) })
		}
	}
}

func benchmarkBookWithWebhooks(b *testing.B, db func(testing.TB) storetest.Database, public bool) {
	ctx := context.Background()
	plain := bookingBench(b, db(b), 0)
	hooked := bookingBench(b, db(b), 3)
	if b.N > 300*47 {
		b.Fatalf("%d bookings do not fit the mentor's horizon", b.N)
	}
	first := time.Now().UTC().Truncate(24 * time.Hour).Add(48 * time.Hour)
	var without, with, cpuWithout, cpuWith []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := first.Add(time.Duration(i/47)*24*time.Hour + time.Duration(i%47)*30*time.Minute)
		in := booking.BookInput{Start: start, Name: fmt.Sprintf("Mentee %d", i), Email: fmt.Sprintf("mentee%d@example.org", i), Timezone: "Europe/Paris"}
		for _, run := range []struct {
			bench    *bookBench
			into     *[]time.Duration
			cpuSpent *[]time.Duration
		}{{plain, &without, &cpuWithout}, {hooked, &with, &cpuWith}} {
			link := run.bench.publicLink
			if !public {
				b.StopTimer()
				m, err := run.bench.ment.CreateMentee(ctx, access.AdminToken(), run.bench.mentorID,
					mentoring.MenteeInput{Name: in.Name, Email: in.Email, Timezone: in.Timezone})
				if err != nil {
					b.Fatal(err)
				}
				link = tokenOf(m.BookingURL)
				b.StartTimer()
			}
			t0, cpu0 := time.Now(), cpuTime()
			if _, _, err := run.bench.book.Book(ctx, link, in, nil); err != nil {
				b.Fatalf("booking %d: %v", i, err)
			}
			*run.into = append(*run.into, time.Since(t0))
			*run.cpuSpent = append(*run.cpuSpent, cpuTime()-cpu0)
		}
	}
	b.StopTimer()
	m0, m3 := median(without), median(with)
	b.ReportMetric(float64(m0.Microseconds()), "µs/booking(0-endpoints)")
	b.ReportMetric(float64(m3.Microseconds()), "µs/booking(3-endpoints)")
	b.ReportMetric(float64((m3 - m0).Microseconds()), "µs-added")
	// This process's CPU time (for SQLite, the database's too): what the
	// difference comes to on a machine the benchmark has alone.
	b.ReportMetric(float64((mean(cpuWith) - mean(cpuWithout)).Microseconds()), "cpu-µs-added")
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// cpuTime is the CPU time this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// bookBench is a booking service with River inserting its jobs (no
// worker runs) and a mentor open every half hour of the year.
type bookBench struct {
	book       *booking.Service
	ment       *mentoring.Service
	mentorID   string
	publicLink string
}

// bookingBench builds a bookBench with endpoints webhook endpoints for
// every event.
func bookingBench(b *testing.B, db storetest.Database, endpoints int) *bookBench {
	ctx := context.Background()
	st := storetest.Open(b, db)
	box, _ := secret.NewBox(bytes.Repeat([]byte{5}, 32))
	base, _ := url.Parse("https://rdv.example.org")
	public := links.New(base)
	engine := jobs.New(st, slog.New(slog.DiscardHandler))
	hooks := webhooks.New(st, box, engine, webhooks.Options{AllowPrivate: true})
	hooks.RegisterWorkers(engine)
	mails := outbox.New(st, box, public, engine, outbox.Options{})
	mails.RegisterWorkers(engine.Workers(), nil, calendar.Person{})
	ment := mentoring.New(st, box, public, mentoring.WithWebhooks(hooks))
	none, _ := video.New(video.Config{Kind: video.KindNone})
	book := booking.New(booking.Deps{Store: st, Jobs: engine, Box: box, Links: public, Outbox: mails, Mentorships: ment,
		Calendars: noCalendars{}, Webhooks: hooks}, booking.Options{Video: none, Videos: map[string]video.Provider{video.KindNone: none}})
	book.RegisterWorkers(engine.Workers())
	if err := engine.Build(); err != nil {
		b.Fatal(err)
	}
	all := []string{}
	for _, e := range webhooks.EventTypes() {
		all = append(all, e.Name)
	}
	for i := range endpoints {
		u := fmt.Sprintf("http://127.0.0.1:9/hook%d", i)
		if _, err := hooks.Register(ctx, access.AdminToken(), webhooks.EndpointInput{URL: &u, Events: &all}); err != nil {
			b.Fatal(err)
		}
	}
	name, email, tz, places, notice, horizon, open := "Grace", "grace@example.org", "UTC", 10000, 0, 365, true
	var weekly []mentoring.WeeklyRange
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, mentoring.WeeklyRange{Weekday: d, Start: "00:00", End: "23:30"})
	}
	m, err := ment.CreateMentor(ctx, access.AdminToken(), mentoring.MentorInput{Name: &name, Email: &email, Timezone: &tz,
		MaxMentees: &places, MinNoticeMinutes: &notice, HorizonDays: &horizon, PublicBooking: &open, WeeklyHours: &weekly})
	if err != nil {
		b.Fatal(err)
	}
	return &bookBench{book: book, ment: ment, mentorID: m.ID, publicLink: tokenOf(m.BookingURL)}
}
