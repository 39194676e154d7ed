package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// BenchmarkDeliver1000Events commits 1,000 events (each in its own
// transaction, as 1,000 bookings would) and then starts the job engine:
// the time until a local receiver, checking every signature, has them
// all is the figure (target: under 5 s).
func BenchmarkDeliver1000Events(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkDeliver(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkDeliver(b, storetest.Postgres(b)) })
}

func benchmarkDeliver(b *testing.B, db storetest.Database) {
	const events = 1000
	ctx := context.Background()
	st := storetest.Open(b, db)
	box, _ := secret.NewBox(bytes.Repeat([]byte{9}, 32))
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		bad  int
		key  []byte
		all  = make(chan struct{}, 1)
		want int
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
		n, _ := strconv.ParseInt(ts, 10, 64)
		mu.Lock()
		defer mu.Unlock()
		valid := false
		for _, sig := range strings.Fields(r.Header.Get("webhook-signature")) {
			valid = valid || hmac.Equal([]byte(sig), []byte(Sign(key, id, n, body)))
		}
		if !valid {
			bad++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		seen[id] = true
		if len(seen) == want {
			all <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	setup := New(st, box, nil, Options{AllowPrivate: true})
	u := rcv.URL + "/hook"
	types := []string{MenteeAssigned}
	ep, err := setup.Register(ctx, access.AdminToken(), EndpointInput{URL: &u, Events: &types})
	if err != nil {
		b.Fatal(err)
	}
	key, _ = secretKey(ep.Secret)
	logger := slog.New(slog.DiscardHandler)
	var took, cpu []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		engine := jobs.New(st, logger)
		hooks := New(st, box, engine, Options{AllowPrivate: true, Logger: logger})
		hooks.RegisterWorkers(engine)
		if err := engine.Build(); err != nil {
			b.Fatal(err)
		}
		mentor := "m1"
		for j := range events {
			m := &store.Mentee{ID: fmt.Sprintf("e%d-%d", i, j), MentorID: &mentor, Name: "Mentee", Email: "m@example.org",
				Timezone: "Europe/Paris", Status: store.MenteeActive, AssignedAt: time.Now()}
			if err := st.InTx(ctx, func(tx *store.Tx) error { return hooks.EmitTx(ctx, tx, Mentee(MenteeAssigned, m, nil, nil)) }); err != nil {
				b.Fatal(err)
			}
		}
		mu.Lock()
		want = (i + 1) * events
		mu.Unlock()
		b.StartTimer()
		t0, cpu0 := time.Now(), cpuTime()
		if err := engine.Start(ctx); err != nil {
			b.Fatal(err)
		}
		select {
		case <-all:
		case <-time.After(2 * time.Minute):
			b.Fatalf("%d of %d events delivered", len(seen), want)
		}
		took = append(took, time.Since(t0))
		cpu = append(cpu, cpuTime()-cpu0)
		b.StopTimer()
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		engine.Stop(stop)
		cancel()
	}
	if bad > 0 {
		b.Errorf("%d deliveries with a bad signature", bad)
	}
	var total time.Duration
	for _, d := range took {
		total += d
	}
	b.ReportMetric((total / time.Duration(len(took))).Seconds(), "s/1000-events")
	var spent time.Duration
	for _, d := range cpu {
		spent += d
	}
	// CPU time of this process (River, workers, SQLite, the receiver):
	// what the wall time comes to on a machine the benchmark has alone.
	b.ReportMetric((spent / time.Duration(len(cpu))).Seconds(), "cpu-s/1000-events")
}

// cpuTime is the CPU time this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
