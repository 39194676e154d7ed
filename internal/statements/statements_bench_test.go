package statements_test

import (
	"context"
	"os"
	"strings"
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
)

// BenchmarkStatement times a month's statement of every mentor (GET
// /api/v1/statements without the JSON) and its CSV on PostgreSQL:
//
//	RENDEZVOUS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/statements -run '^$' -bench Statement -benchtime 20x -count 5
func BenchmarkStatement(b *testing.B) {
	db := storetest.Open(b, storetest.Postgres(b))
	ctx := context.Background()
	now := time.Now().UTC()
	seedSessions(b, db, now)
	svc := statements.New(db, statements.Options{})
	month := now.AddDate(0, -2, 0).Format("2006-01")
	st, err := svc.Get(ctx, access.AdminToken(), month, "")
	if err != nil {
		b.Fatal(err)
	}
	sessions := 0
	for _, r := range st.Mentors {
		sessions += r.Completed + r.NoShow + r.MentorNoShow + r.LateCancel + r.Unreported
	}
	if len(st.Mentors) != benchMentors || sessions < benchMentors*8 {
		b.Fatalf("statement of %s: %d mentors, %d sessions", month, len(st.Mentors), sessions)
	}
	b.Logf("%s: %d mentors, %d sessions with an outcome or unreported", month, len(st.Mentors), sessions)
	if os.Getenv("RENDEZVOUS_BENCH_EXPLAIN") != "" {
		explain(b, db)
	}
	b.Run("json", func(b *testing.B) {
		for range b.N {
			if _, err := svc.Get(ctx, access.AdminToken(), month, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("csv", func(b *testing.B) {
		for range b.N {
			if _, err := svc.CSV(ctx, access.AdminToken(), month, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// seedSessions bulk-inserts the benchmark's programme with set-based
// INSERT … SELECT over generate_series, with every outcome and some
// sessions cancelled or unreported.
func seedSessions(b testing.TB, db *store.Store, now time.Time) {
	b.Helper()
	ctx := context.Background()
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"mentors", `INSERT INTO mentors (id, name, email, timezone, max_mentees, session_minutes, min_notice_minutes,
				horizon_days, buffer_minutes, token_hash, feed_token_hash, feed_token_sealed, public_token_hash,
				public_token_sealed, created_at, updated_at)
			SELECT 'm' || lpad(i::text, 5, '0'), 'Mentor ' || i, 'mentor' || i || '@example.org',
				(ARRAY['Europe/Paris','America/New_York','Asia/Tokyo','UTC','Australia/Sydney'])[i % 5 + 1],
				12, 60, 240, 28, 0, 't' || i, 'f' || i, '', 'p' || i, '', $1::timestamptz, $1
			FROM generate_series(1, $2::int) AS i`, []any{now, benchMentors}},
		{"mentees", `INSERT INTO mentees (id, mentor_id, name, email, email_key, timezone, status, link_token_hash,
				link_token_sealed, assigned_at, created_at, updated_at)
			SELECT 'e' || lpad(i::text, 5, '0'), 'm' || lpad(i::text, 5, '0'), 'Mentee ' || i, 'mentee' || i || '@example.org',
				'mentee' || i || '@example.org', 'Europe/Paris', 'active', 'l' || i, '', $1, $1, $1
			FROM generate_series(1, $2::int) AS i`, []any{now, benchMentors}},
		{"sessions", `INSERT INTO bookings (id, uid, mentor_id, mentee_id, start_at, end_at, status, outcome,
				manage_token_hash, manage_token_sealed, created_at, updated_at)
			SELECT 'b' || lpad(n::text, 7, '0'), 'b' || n || '@bench', 'm' || lpad(i::text, 5, '0'), 'e' || lpad(i::text, 5, '0'),
				s, s + interval '30 minutes',
				CASE WHEN k % 17 = 0 THEN 'cancelled' ELSE 'confirmed' END,
				CASE WHEN s > $1::timestamptz OR k % 13 = 0 THEN NULL WHEN k % 17 = 0 THEN 'late_cancel'
					WHEN k % 11 = 0 THEN 'no_show' WHEN k % 19 = 0 THEN 'mentor_no_show' ELSE 'completed' END,
				'h' || n, '', $1, $1
			FROM generate_series(1, $2::int) AS i, generate_series(0, $3::int - 1) AS k,
				LATERAL (SELECT (i - 1) * $3 + k AS n,
					date_trunc('hour', $1::timestamptz) - interval '270 days' + k * interval '3 days' + (i % 10) * interval '1 hour' AS s) AS x`,
			[]any{now, benchMentors, benchSessionsPerMentor}},
	}
	for _, st := range steps {
		start := time.Now()
		if _, err := db.SQLDB().ExecContext(ctx, st.sql, st.args...); err != nil {
			b.Fatalf("seed %s: %v", st.what, err)
		}
		b.Logf("seeded %s in %s", st.what, time.Since(start).Round(time.Millisecond))
	}
	if _, err := db.SQLDB().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

func explain(b *testing.B, db *store.Store) {
	rows, err := db.SQLDB().Query(os.Getenv("RENDEZVOUS_BENCH_EXPLAIN"))
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
