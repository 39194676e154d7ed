package statements_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/statements"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// Program size of the statement benchmark: 2,000 mentors in five zones,
// 100 sessions each (200,000), three days apart over ten months.
const (
	benchMentors           = 2000
	benchSessionsPerMentor = 100
	// benchBatch is how many sessions one INSERT … SELECT writes: each
	// batch is its own statement, so none outlasts a timeout on a loaded
	// machine, and the log shows progress.
	benchBatch = 20000
)

// benchApp names the benchmark's PostgreSQL connections, so that their
// server processes' CPU time can be read (see pgCPU).
const benchApp = "rendezvous-statement-bench"

// BenchmarkStatement times a month's statement of every mentor (GET
// /api/v1/statements without the JSON) and its CSV, on SQLite and on
// PostgreSQL:
//
//	RENDEZVOUS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/statements -run '^$' -bench Statement -benchtime 20x -count 5
//
// Besides the time per statement it reports the CPU time spent on it:
// cpu-ms/op is this process's (user and system, from getrusage), and on
// PostgreSQL db-cpu-ms/op is the server processes' serving the
// benchmark's connections (from /proc): figures that other work on a
// shared machine moves much less than the wall time.
func BenchmarkStatement(b *testing.B) {
	for _, open := range []func(testing.TB) storetest.Database{storetest.SQLite, storetest.Postgres} {
		db := open(b)
		b.Run(db.Name, func(b *testing.B) {
			if db.Name == "postgres" {
				db.URL += "&application_name=" + benchApp
			}
			st := storetest.Open(b, db)
			ctx := context.Background()
			now := time.Now().UTC()
			seedSessions(b, st, now)
			svc := statements.New(st, statements.Options{})
			month := now.AddDate(0, -2, 0).Format("2006-01")
			stmt, err := svc.Get(ctx, access.AdminToken(), month, "")
			if err != nil {
				b.Fatal(err)
			}
			sessions := 0
			for _, r := range stmt.Mentors {
				sessions += r.Completed + r.NoShow + r.MentorNoShow + r.LateCancel + r.Unreported
			}
			if len(stmt.Mentors) != benchMentors || sessions < benchMentors*8 {
				b.Fatalf("statement of %s: %d mentors, %d sessions", month, len(stmt.Mentors), sessions)
			}
			b.Logf("%s: %d mentors, %d sessions with an outcome or unreported", month, len(stmt.Mentors), sessions)
			if q := os.Getenv("RENDEZVOUS_BENCH_EXPLAIN"); q != "" && db.Name == "postgres" {
				explain(b, st, q)
			}
			b.Run("json", func(b *testing.B) {
				measureCPU(b, st, func() {
					if _, err := svc.Get(ctx, access.AdminToken(), month, ""); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("csv", func(b *testing.B) {
				measureCPU(b, st, func() {
					if _, err := svc.CSV(ctx, access.AdminToken(), month, ""); err != nil {
						b.Fatal(err)
					}
				})
			})
		})
	}
}

// measureCPU runs op b.N times and reports the CPU time it cost.
func measureCPU(b *testing.B, st *store.Store, op func()) {
	pg := st.Dialect() == store.Postgres
	var dbBefore time.Duration
	if pg {
		dbBefore = pgCPU(b, st)
	}
	before := processCPU()
	b.ResetTimer()
	for range b.N {
		op()
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-before)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	if pg {
		b.ReportMetric(float64(pgCPU(b, st)-dbBefore)/float64(time.Millisecond)/float64(b.N), "db-cpu-ms/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgCPU sums the CPU time of the PostgreSQL server processes serving the
// benchmark's connections (user and system, in clock ticks of 10 ms).
func pgCPU(b *testing.B, st *store.Store) time.Duration {
	rows, err := st.SQLDB().Query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", benchApp)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // not on this machine, or gone
		}
		// Fields after the command's closing parenthesis: utime and
		// stime are the 12th and 13th.
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) > 12 {
			u, _ := strconv.Atoi(fields[11])
			s, _ := strconv.Atoi(fields[12])
			total += time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return total
}

// seedSessions bulk-inserts the benchmark's programme with set-based
// INSERT … SELECT (generate_series on PostgreSQL, a recursive CTE on
// SQLite), the sessions in batches of benchBatch, with every outcome and
// some sessions cancelled or unreported.
func seedSessions(b testing.TB, st *store.Store, now time.Time) {
	b.Helper()
	ctx := context.Background()
	pg := st.Dialect() == store.Postgres
	series := func(from, to int) string { // rows i = from..to
		if pg {
			return "generate_series(" + strconv.Itoa(from) + ", " + strconv.Itoa(to) + ") AS s(i)"
		}
		return "(WITH RECURSIVE s(i) AS (SELECT " + strconv.Itoa(from) + " UNION ALL SELECT i + 1 FROM s WHERE i < " + strconv.Itoa(to) + ") SELECT i FROM s) AS s"
	}
	id := func(prefix string, width int, expr string) string {
		if pg {
			return "'" + prefix + "' || lpad((" + expr + ")::text, " + strconv.Itoa(width) + ", '0')"
		}
		return "printf('" + prefix + "%0" + strconv.Itoa(width) + "d', " + expr + ")"
	}
	// Session k (0..99) of a mentor starts 270 days before now, plus 3k
	// days, plus the mentor's number modulo 10 in hours.
	base := now.Truncate(time.Hour).Add(-270 * 24 * time.Hour)
	at := func(minutes string) string {
		if pg {
			return "(TIMESTAMPTZ '" + base.Format(time.RFC3339) + "' + (" + minutes + ") * interval '1 minute')"
		}
		return "datetime('" + base.Format("2006-01-02 15:04:05") + "', '+' || (" + minutes + ") || ' minutes')"
	}
	nowText := "'" + now.Format("2006-01-02 15:04:05") + "'"
	if pg {
		nowText = "TIMESTAMPTZ '" + now.Format(time.RFC3339) + "'"
	}
	const mentor, k = "((i - 1) / 100 + 1)", "((i - 1) % 100)"
	start := "(" + k + " * 4320 + " + mentor + " % 10 * 60)"
	steps := []struct{ what, sql string }{
		{"mentors", `INSERT INTO mentors (id, name, email, timezone, max_mentees, session_minutes, min_notice_minutes,
				horizon_days, buffer_minutes, token_hash, feed_token_hash, feed_token_sealed, public_token_hash,
				public_token_sealed, created_at, updated_at)
			SELECT ` + id("m", 5, "i") + `, 'Mentor ' || i, 'mentor' || i || '@example.org',
				CASE i % 5 WHEN 0 THEN 'Europe/Paris' WHEN 1 THEN 'America/New_York' WHEN 2 THEN 'Asia/Tokyo'
					WHEN 3 THEN 'UTC' ELSE 'Australia/Sydney' END,
				12, 60, 240, 28, 0, 't' || i, 'f' || i, '', 'p' || i, '', ` + nowText + `, ` + nowText + `
			FROM ` + series(1, benchMentors)},
		{"mentees", `INSERT INTO mentees (id, mentor_id, name, email, email_key, timezone, status, link_token_hash,
				link_token_sealed, assigned_at, created_at, updated_at)
			SELECT ` + id("e", 5, "i") + `, ` + id("m", 5, "i") + `, 'Mentee ' || i, 'mentee' || i || '@example.org',
				'mentee' || i || '@example.org', 'Europe/Paris', 'active', 'l' || i, '', ` + nowText + `, ` + nowText + `, ` + nowText + `
			FROM ` + series(1, benchMentors)},
	}
	total := benchMentors * benchSessionsPerMentor
	for from := 1; from <= total; from += benchBatch {
		to := min(from+benchBatch-1, total)
		steps = append(steps, struct{ what, sql string }{"sessions " + strconv.Itoa(from) + "–" + strconv.Itoa(to),
			`INSERT INTO bookings (id, uid, mentor_id, mentee_id, start_at, end_at, status, outcome,
				manage_token_hash, manage_token_sealed, created_at, updated_at)
			SELECT ` + id("b", 7, "i") + `, 'b' || i || '@bench', ` + id("m", 5, mentor) + `, ` + id("e", 5, mentor) + `,
				` + at(start) + `, ` + at(start+" + 30") + `,
				CASE WHEN ` + k + ` % 17 = 0 THEN 'cancelled' ELSE 'confirmed' END,
				CASE WHEN ` + start + ` > 270 * 1440 OR ` + k + ` % 13 = 0 THEN NULL WHEN ` + k + ` % 17 = 0 THEN 'late_cancel'
					WHEN ` + k + ` % 11 = 0 THEN 'no_show' WHEN ` + k + ` % 19 = 0 THEN 'mentor_no_show' ELSE 'completed' END,
				'h' || i, '', ` + nowText + `, ` + nowText + `
			FROM ` + series(from, to)})
	}
	began := time.Now()
	for _, s := range steps {
		t := time.Now()
		if _, err := st.SQLDB().ExecContext(ctx, s.sql); err != nil {
			b.Fatalf("seed %s: %v", s.what, err)
		}
		b.Logf("seeded %s in %s", s.what, time.Since(t).Round(time.Millisecond))
	}
	analyze := "ANALYZE"
	if pg {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := st.SQLDB().ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d mentors and %d sessions on %s in %s", benchMentors, total, st.Dialect(), time.Since(began).Round(time.Second))
}

func explain(b *testing.B, st *store.Store, query string) {
	rows, err := st.SQLDB().Query(query)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		rows.Scan(&line)
		out = append(out, line)
	}
	b.Log("\n" + strings.Join(out, "\n"))
}
