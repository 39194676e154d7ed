package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// openStatementCacheDB opens a one-connection SQLite pool, so every query
// of a test lands on the same connection and its cache.
func openStatementCacheDB(t *testing.T) *sql.DB {
	t.Helper()
	s, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := s.SQLDB()
	db.SetMaxOpenConns(1)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err) // SQLite refuses to close with statements left
		}
	})
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// liveStatements counts the statements SQLite holds on the pool's one
// connection.
func liveStatements(t *testing.T, db *sql.DB) int {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := 0
	err = conn.Raw(func(driverConn any) error {
		raw, ok := driverConn.(interface{ Raw() *sqlite3.Conn })
		if !ok {
			return fmt.Errorf("driver connection %T has no Raw", driverConn)
		}
		for range raw.Raw().Stmts() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSQLiteStatementsAreReused(t *testing.T) {
	db := openStatementCacheDB(t)
	for i := range 200 {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := db.QueryRow(`SELECT v FROM t WHERE id = ?`, i+1).Scan(&v); err != nil || v != fmt.Sprint("v", i) {
			t.Fatalf("row %d: %q, %v", i+1, v, err)
		}
	}
	if n := liveStatements(t, db); n != 2 {
		t.Errorf("%d statements live after 400 queries of two kinds, want 2 (one per query)", n)
	}
}

func TestSQLiteStatementCacheSurvivesErrorsAndNesting(t *testing.T) {
	db := openStatementCacheDB(t)
	const insert = `INSERT INTO t (v) VALUES (?)`
	if _, err := db.Exec(insert, "a"); err != nil {
		t.Fatal(err)
	}
	// A constraint failure leaves the cached statement usable.
	if _, err := db.Exec(insert, "a"); err == nil {
		t.Fatal("duplicate accepted")
	}
	if _, err := db.Exec(insert, "b"); err != nil {
		t.Fatalf("after a failed step: %v", err)
	}

	// The same query twice at once on one connection (inside a
	// transaction): the second gets a statement of its own.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const list = `SELECT v FROM t WHERE v >= ? ORDER BY v`
	outer, err := tx.Query(list, "a")
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var o string
		if err := outer.Scan(&o); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.Query(list, o)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var i string
			if err := inner.Scan(&i); err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, o+i)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if fmt.Sprint(pairs) != "[aa ab bb]" {
		t.Errorf("nested reads gave %v, want [aa ab bb]", pairs)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteStatementCacheIsBounded(t *testing.T) {
	db := openStatementCacheDB(t)
	for i := range statementsPerConnection * 3 {
		// A distinct text each time, as a varying IN list would be.
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) + %d FROM t WHERE id > ?`, i), 0).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if n := liveStatements(t, db); n > statementsPerConnection {
		t.Errorf("%d statements live, want at most %d", n, statementsPerConnection)
	}
	// An explicitly prepared statement is held across uses and released.
	stmt, err := db.Prepare(`SELECT count(*) FROM t WHERE id > ?`)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		var n int
		if err := stmt.QueryRow(0).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := stmt.Close(); err != nil {
		t.Fatal(err)
	}
}
