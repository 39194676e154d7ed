// Package storetest runs tests against every database Rendezvous supports:
// a temporary SQLite file always, and PostgreSQL when
// RENDEZVOUS_TEST_POSTGRES_URL is set (each test in a schema of its own,
// dropped afterwards). Under CI=true a missing PostgreSQL fails the test.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for schema setup

	"github.com/rendezvous/rendezvous/internal/store"
)

// EnvPostgresURL names the variable that points tests at PostgreSQL.
const EnvPostgresURL = "RENDEZVOUS_TEST_POSTGRES_URL"

// Database is one database a test runs on.
type Database struct {
	Name string // "sqlite" or "postgres"
	URL  string
}

// Each runs fn as a subtest on SQLite and on PostgreSQL, each with a fresh,
// migrated database.
func Each(t *testing.T, fn func(t *testing.T, db Database)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachStore is Each with an opened, migrated store.
func EachStore(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	Each(t, func(t *testing.T, db Database) { fn(t, Open(t, db)) })
}

// SQLite returns a database URL of a new temporary SQLite file.
func SQLite(t testing.TB) Database {
	return Database{Name: "sqlite", URL: "sqlite://" + filepath.Join(t.TempDir(), "test.db")}
}

// Postgres returns the URL of a new schema in the test PostgreSQL, or skips
// (fails under CI) when none is configured or reachable.
func Postgres(t testing.TB) Database {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		Unavailable(t, EnvPostgresURL+" is not set: PostgreSQL tests need e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		Unavailable(t, fmt.Sprintf("PostgreSQL at %s is not reachable: %v", base, err))
	}
	schema := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return Database{Name: "postgres", URL: u.String()}
}

// Open opens and migrates db, closing it when the test ends.
func Open(t testing.TB, db Database) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), db.URL)
	if err != nil {
		t.Fatalf("open %s: %v", db.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", db.Name, err)
	}
	return s
}

// Unavailable skips a test whose peer is missing, or fails it under CI,
// where every integration test must run.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI=true: %s", why)
	}
	t.Skip(why)
}
