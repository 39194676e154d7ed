package mentoring_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// Program size of the caseload benchmark.
const (
	benchMentors           = 2000
	benchMenteesPerMentor  = 10
	benchSessionsPerMentor = 100
)

// BenchmarkCaseloads times the program-wide caseload view (GET
// /api/v1/caseloads without the JSON) on PostgreSQL with 2,000 mentors,
// 20,000 mentees and 200,000 sessions:
//
//	RENDEZVOUS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/mentoring -run '^$' -bench Caseloads -benchtime 20x
func BenchmarkCaseloads(b *testing.B) {
	db := storetest.Open(b, storetest.Postgres(b))
	ctx := context.Background()
	seedProgram(b, db)
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	svc := mentoring.New(db, box, links.New(&url.URL{Scheme: "http", Host: "localhost"}))
	all, err := svc.Caseloads(ctx, access.AdminToken())
	if err != nil {
		b.Fatal(err)
	}
	mentees := 0
	for _, c := range all {
		mentees += len(c.Mentees)
	}
	if len(all) != benchMentors || mentees == 0 {
		b.Fatalf("seeded %d caseloads with %d mentees", len(all), mentees)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := svc.Caseloads(ctx, access.AdminToken()); err != nil {
			b.Fatal(err)
		}
	}
}

// seedProgram bulk-inserts the benchmark's program with set-based INSERT …
// SELECT over generate_series: seconds, not minutes. One mentee in ten has
// ended; sessions run from nine months back to a month ahead, three days
// apart per mentor, with cancellations, no-shows and unreported ones.
func seedProgram(b testing.TB, db *store.Store) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"mentors", `INSERT INTO mentors (id, name, email, timezone, max_mentees, session_minutes, min_notice_minutes,
				horizon_days, buffer_minutes, token_hash, feed_token_hash, feed_token_sealed, public_token_hash,
				public_token_sealed, created_at, updated_at)
			SELECT 'm' || lpad(i::text, 5, '0'), 'Mentor ' || i, 'mentor' || i || '@example.org',
				(ARRAY['Europe/Paris','America/New_York','Asia/Tokyo','UTC','Australia/Sydney'])[i % 5 + 1],
				12, 60, 240, 28, 0, 't' || i, 'f' || i, '', 'p' || i, '', $1::timestamptz + i * interval '1 second', $1
			FROM generate_series(1, $2::int) AS i`, []any{now, benchMentors}},
		{"mentees", `INSERT INTO mentees (id, mentor_id, name, email, email_key, timezone, status, link_token_hash,
				link_token_sealed, assigned_at, ended_at, created_at, updated_at)
			SELECT 'e' || lpad(j::text, 6, '0'), 'm' || lpad(((j - 1) / $3 + 1)::text, 5, '0'), 'Mentee ' || j,
				'mentee' || j || '@example.org', 'mentee' || j || '@example.org', 'Europe/Paris',
				CASE WHEN j % 10 = 0 THEN 'ended' ELSE 'active' END, 'l' || j, '',
				$1::timestamptz - interval '300 days', CASE WHEN j % 10 = 0 THEN $1::timestamptz END, $1, $1
			FROM generate_series(1, $2::int * $3::int) AS j`, []any{now, benchMentors, benchMenteesPerMentor}},
		{"sessions", `INSERT INTO bookings (id, uid, mentor_id, mentee_id, start_at, end_at, status, outcome,
				manage_token_hash, manage_token_sealed, created_at, updated_at)
			SELECT 'b' || lpad(n::text, 7, '0'), 'b' || n || '@bench', 'm' || lpad(i::text, 5, '0'),
				'e' || lpad(((i - 1) * $3 + k % $3 + 1)::text, 6, '0'),
				s, s + interval '60 minutes',
				CASE WHEN k % 17 = 0 THEN 'cancelled' ELSE 'confirmed' END,
				CASE WHEN s > $1::timestamptz OR k % 13 = 0 THEN NULL WHEN k % 11 = 0 THEN 'no_show' ELSE 'completed' END,
				'h' || n, '', $1, $1
			FROM generate_series(1, $2::int) AS i, generate_series(0, $4::int - 1) AS k,
				LATERAL (SELECT (i - 1) * $4 + k AS n,
					date_trunc('hour', $1::timestamptz) - interval '270 days' + k * interval '3 days' + (i % 10) * interval '1 hour' AS s) AS x`,
			[]any{now, benchMentors, benchMenteesPerMentor, benchSessionsPerMentor}},
		// What the store keeps as outcomes are written (migration 00005).
		{"caseload pairs", `INSERT INTO caseload_pairs (mentor_id, mentee_id, completed, last_completed)
			SELECT mentor_id, mentee_id, COUNT(*), MAX(CAST(start_at AT TIME ZONE 'UTC' AS TEXT) || '|' || id COLLATE "C")
			FROM bookings WHERE status = 'confirmed' AND outcome = 'completed' GROUP BY mentor_id, mentee_id`, nil},
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
