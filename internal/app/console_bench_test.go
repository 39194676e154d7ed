package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/config"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/signin"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// The console benchmark's programme: 2,000 mentors, 20,000 mentees and
// 200,000 sessions, as issue 20 asks.
const (
	benchMentors           = 2000
	benchMenteesPerMentor  = 10
	benchSessionsPerMentor = 100
)

// BenchmarkConsolePages renders every console page through the assembled
// HTTP server (routing, the staff session's lookup, the services'
// queries, the template) as a signed-in coordinator, on SQLite and
// PostgreSQL:
//
//	RENDEZVOUS_TEST_POSTGRES_URL=… go test ./internal/app -run '^$' -bench ConsolePages -benchtime 20x
func BenchmarkConsolePages(b *testing.B) {
	for _, db := range []func(testing.TB) storetest.Database{storetest.SQLite, storetest.Postgres} {
		d := db(b)
		b.Run(d.Name, func(b *testing.B) {
			st := storetest.Open(b, d)
			box, _ := secret.NewBox(make([]byte, 32))
			seedConsoleProgram(b, st, box.SealString("bench-token"))
			breakdown(b, st)
			explain(b, st)
			dir := b.TempDir()
			env := map[string]string{"RENDEZVOUS_DATABASE_URL": "sqlite://" + filepath.Join(dir, "unused.db"), "RENDEZVOUS_DATA_DIR": dir}
			cfg, err := config.Load(flag.NewFlagSet("bench", flag.ContinueOnError), nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			if err != nil {
				b.Fatal(err)
			}
			a, err := New(cfg, st, box, "admin-hash", slog.New(slog.DiscardHandler), Tuning{})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Jobs.Stop(context.Background())
			ctx := context.Background()
			if err := st.InsertStaff(ctx, &store.Staff{ID: "s1", Name: "Cora", Email: "cora@example.org", EmailKey: "cora@example.org",
				Role: "coordinator", CreatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			cookie, _, err := signin.New(st, nil, box, signin.Options{}).StaffSessionStart(ctx, "s1")
			if err != nil {
				b.Fatal(err)
			}
			h := a.HTTP.Handler()
			for _, p := range []struct{ name, path string }{
				{"dashboard", "/staff"},
				{"mentors", "/staff/mentors"},
				{"mentors_page_20", "/staff/mentors?cursor=" + cursorAfter(b, h, cookie, "/staff/mentors", 19)},
				{"mentors_full", "/staff/mentors?load=full"},
				{"mentors_search", "/staff/mentors?q=mentor+1999"},
				{"mentor", "/staff/mentors/m00042"},
				{"mentees", "/staff/mentees"},
				{"mentees_search", "/staff/mentees?q=mentee12345%40"},
				{"mentees_overdue", "/staff/mentees?overdue=true&status=active"},
				{"mentees_of_mentor", "/staff/mentees?mentor_id=m00042"},
				{"mentee", "/staff/mentees/e000421"},
				{"mentee_reassign_preview", "/staff/mentees/e000421?to=m00043"},
				{"import_form", "/staff/import"},
			} {
				b.Run(p.name, func(b *testing.B) {
					get(b, h, cookie, p.path) // warm, and check it answers
					took := make([]time.Duration, 0, b.N)
					b.ResetTimer()
					cpu0 := cpuTime()
					for range b.N {
						t0 := time.Now()
						get(b, h, cookie, p.path)
						took = append(took, time.Since(t0))
					}
					cpu := cpuTime() - cpu0
					b.StopTimer()
					// This process's CPU per page (on SQLite, the database's
					// too): what other work on the machine moves least.
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
					// The spread, for BENCHMARKS.md (min/median/max).
					slices.Sort(took)
					b.ReportMetric(float64(took[0].Microseconds())/1000, "min-ms")
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
					b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
				})
			}
		})
	}
}

// get renders a console page and fails on anything but 200.
func get(b *testing.B, h http.Handler, cookie, path string) string {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "rdv_staff", Value: cookie})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		body, _ := io.ReadAll(rec.Body)
		b.Fatalf("GET %s: %d %.300s", path, rec.Code, body)
	}
	return rec.Body.String()
}

// cursorAfter follows the "next page" link n times and returns its cursor.
func cursorAfter(b *testing.B, h http.Handler, cookie, path string, n int) string {
	b.Helper()
	cursor := ""
	for i := 0; i < n; i++ {
		p := path
		if cursor != "" {
			p += "?cursor=" + cursor
		}
		body := get(b, h, cookie, p)
		const marker = `cursor=`
		at := -1
		if i := indexAfter(body, `id="next-page"`); i >= 0 {
			at = lastIndex(body[:i], marker)
		}
		if at < 0 {
			b.Fatalf("no next page after %d pages", i+1)
		}
		rest := body[at+len(marker):]
		end := 0
		for end < len(rest) && rest[end] != '"' && rest[end] != '&' {
			end++
		}
		cursor = rest[:end]
	}
	return cursor
}

func indexAfter(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func lastIndex(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// seedConsoleProgram bulk-inserts the programme with set-based INSERT …
// SELECT (generate_series on PostgreSQL, a recursive CTE on SQLite):
// mentors of 8 to 13 places with 10 mentees each (so some are over their
// maximum), one in seven without weekly hours, one mentee in ten ended;
// sessions from nine months back to a month ahead, three days apart per
// mentor, with cancellations, no-shows and unreported ones.
func seedConsoleProgram(b testing.TB, st *store.Store, sealed string) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	base := now.Truncate(time.Hour).Add(-270 * 24 * time.Hour)
	pg := st.Dialect() == store.Postgres
	series := func(n string) string { // rows i = 1..n
		if pg {
			return "generate_series(1, " + n + ") AS s(i)"
		}
		return "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " + n + ") SELECT i FROM s) AS s"
	}
	id := func(prefix, width, expr string) string {
		if pg {
			return "'" + prefix + "' || lpad((" + expr + ")::text, " + width + ", '0')"
		}
		return "printf('" + prefix + "%0" + width + "d', " + expr + ")"
	}
	at := func(expr string) string { // base + expr hours
		if pg {
			return "(TIMESTAMPTZ '" + base.Format(time.RFC3339) + "' + (" + expr + ") * interval '1 hour')"
		}
		return "datetime('" + base.Format("2006-01-02 15:04:05") + "', '+' || (" + expr + ") || ' hours')"
	}
	nowText := "'" + now.Format("2006-01-02 15:04:05") + "'"
	if pg {
		nowText = "TIMESTAMPTZ '" + now.Format(time.RFC3339) + "'"
	}
	menteeCount := benchMentors * benchMenteesPerMentor
	steps := []struct{ what, sql string }{
		{"mentors", `INSERT INTO mentors (id, name, email, timezone, max_mentees, session_minutes, min_notice_minutes,
				horizon_days, buffer_minutes, weekly_hours, token_hash, feed_token_hash, feed_token_sealed, public_token_hash,
				public_token_sealed, created_at, updated_at)
			SELECT ` + id("m", "5", "i") + `, 'Mentor ' || i, 'mentor' || i || '@example.org', 'Europe/Paris',
				8 + i % 6, 30, 240, 28, 0,
				CASE WHEN i % 7 = 0 THEN '[]' ELSE '[{"weekday":"monday","start":"09:00","end":"12:00"}]' END,
				't' || i, 'f' || i, '` + sealed + `', 'p' || i, '` + sealed + `', ` + nowText + `, ` + nowText + `
			FROM ` + series(itoa(benchMentors))},
		{"mentees", `INSERT INTO mentees (id, mentor_id, name, email, email_key, timezone, status, link_token_hash,
				link_token_sealed, assigned_at, ended_at, created_at, updated_at)
			SELECT ` + id("e", "6", "i") + `, ` + id("m", "5", "(i - 1) / "+itoa(benchMenteesPerMentor)+" + 1") + `, 'Mentee ' || i,
				'mentee' || i || '@example.org', 'mentee' || i || '@example.org', 'Europe/Paris',
				CASE WHEN i % 10 = 0 THEN 'ended' ELSE 'active' END, 'l' || i, '` + sealed + `',
				` + at("0") + `, CASE WHEN i % 10 = 0 THEN ` + nowText + ` END, ` + nowText + `, ` + nowText + `
			FROM ` + series(itoa(menteeCount))},
		// Session n of mentor m = (n-1)/100+1, k = (n-1)%100: with the
		// mentee k%10 of that mentor, 72k + m%10 hours after the base.
		{"sessions", `INSERT INTO bookings (id, uid, mentor_id, mentee_id, start_at, end_at, status, outcome,
				manage_token_hash, manage_token_sealed, created_at, updated_at)
			SELECT ` + id("b", "7", "i") + `, 'b' || i || '@bench', ` + id("m", "5", "(i - 1) / 100 + 1") + `,
				` + id("e", "6", "((i - 1) / 100) * 10 + ((i - 1) % 100) % 10 + 1") + `,
				` + at("72 * ((i - 1) % 100) + ((i - 1) / 100 + 1) % 10") + `, ` + at("72 * ((i - 1) % 100) + ((i - 1) / 100 + 1) % 10 + 1") + `,
				CASE WHEN (i - 1) % 100 % 17 = 0 THEN 'cancelled' ELSE 'confirmed' END,
				CASE WHEN 72 * ((i - 1) % 100) > 270 * 24 OR (i - 1) % 100 % 13 = 0 THEN NULL
					WHEN (i - 1) % 100 % 11 = 0 THEN 'no_show' ELSE 'completed' END,
				'h' || i, '` + sealed + `', ` + nowText + `, ` + nowText + `
			FROM ` + series(itoa(benchMentors*benchSessionsPerMentor))},
		// What the store keeps as outcomes are written (migration 00005).
		{"caseload pairs", `INSERT INTO caseload_pairs (mentor_id, mentee_id, completed, last_completed)
			SELECT mentor_id, mentee_id, COUNT(*), MAX(` + sessionKey(pg) + `)
			FROM bookings WHERE status = 'confirmed' AND outcome = 'completed' GROUP BY mentor_id, mentee_id`},
	}
	for _, s := range steps {
		start := time.Now()
		if _, err := st.SQLDB().ExecContext(ctx, s.sql); err != nil {
			b.Fatalf("seed %s: %v", s.what, err)
		}
		b.Logf("seeded %s in %s", s.what, time.Since(start).Round(time.Millisecond))
	}
	analyze := "ANALYZE"
	if pg {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := st.SQLDB().ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sessionKey(pg bool) string {
	if pg {
		return `CAST(start_at AT TIME ZONE 'UTC' AS TEXT) || '|' || id COLLATE "C"`
	}
	return `start_at || '|' || id`
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for ; n > 0; n /= 10 {
		i--
		buf[i] = byte('0' + n%10)
	}
	return string(buf[i:])
}

// breakdown times each query of the dashboard once, for BENCHMARKS.md.
func breakdown(b *testing.B, st *store.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"mentor loads", func() error { _, err := st.MentorLoads(ctx); return err }},
		{"overdue pairs", func() error { _, _, err := st.OverduePairs(ctx, now.Add(-7*24*time.Hour), 15); return err }},
		{"unreported sessions", func() error { _, _, err := st.UnreportedSessions(ctx, now.Add(-24*time.Hour), 15); return err }},
		{"never booked", func() error { _, _, err := st.NeverBooked(ctx, 15); return err }},
		{"needs a coordinator", func() error {
			_, _, err := st.NeedsCoordinator(ctx, now.Add(-7*24*time.Hour), now.Add(-store.CoordinatorAfterNudge), 15)
			return err
		}},
		{"due nudges (the sweep's read)", func() error { _, err := st.DueNudges(ctx, now.Add(-7*24*time.Hour), 500); return err }},
		{"month figures", func() error {
			_, err := st.ProgramFigures(ctx, month, month.AddDate(0, 1, 0), now.Add(-24*time.Hour))
			return err
		}},
	} {
		start := time.Now()
		if err := q.run(); err != nil {
			b.Fatalf("%s: %v", q.name, err)
		}
		b.Logf("%s: %s", q.name, time.Since(start).Round(100*time.Microsecond))
	}
}

// explain prints the plans of the statements in RENDEZVOUS_BENCH_EXPLAIN
// (separated by ";;", with ? placeholders filled from the start of the
// current week) on the seeded database: EXPLAIN ANALYZE on PostgreSQL,
// EXPLAIN QUERY PLAN on SQLite.
func explain(b *testing.B, st *store.Store) {
	for _, q := range strings.Split(os.Getenv("RENDEZVOUS_BENCH_EXPLAIN"), ";;") {
		if q = strings.TrimSpace(q); q == "" {
			continue
		}
		prefix := "EXPLAIN QUERY PLAN "
		if st.Dialect() == store.Postgres {
			prefix = "EXPLAIN (ANALYZE, BUFFERS) "
		}
		week := store.UTCSecond(time.Now().Add(-7 * 24 * time.Hour))
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = week
		}
		if st.Dialect() == store.Postgres {
			n := 0
			q = strings.NewReplacer().Replace(q)
			var out strings.Builder
			for _, r := range q {
				if r == '?' {
					n++
					out.WriteString("$" + itoa(n))
					continue
				}
				out.WriteRune(r)
			}
			q = out.String()
		}
		rows, err := st.SQLDB().Query(prefix+q, args...)
		if err != nil {
			b.Fatalf("explain %s: %v", q, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		rows.Close()
		b.Logf("%s\n%s", q, strings.Join(lines, "\n"))
	}
}
