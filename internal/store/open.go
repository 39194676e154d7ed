// Package store is Rendezvous' storage on SQLite or PostgreSQL behind one
// type. gorm models never leave this package's callers in JSON: the API has
// its own types. Schema that carries invariants (the booking overlap
// guarantee) lives in versioned per-dialect migrations, not AutoMigrate.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// queryTimeout bounds every statement so a stuck database cannot pin a
// request or a job forever.
const queryTimeout = 15 * time.Second

// Store is the database. Its query methods come from Q; Tx runs a unit of
// work in one transaction.
type Store struct {
	Q
	sqlDB   *sql.DB
	dialect Dialect
	// writer queues this process's SQLite transactions (each one a writer,
	// begun IMMEDIATE) so that each waits its turn parked on a channel,
	// handed the turn the moment the last commits. Left to SQLite's busy
	// handler, four bookers spun on the file lock, sleeping up to 2 ms a
	// try: time in which the lock sat free. nil on PostgreSQL.
	writer chan struct{}
}

// Open connects to a sqlite:// or postgres:// URL.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	var (
		dial    gorm.Dialector
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(databaseURL, "sqlite://"):
		path := strings.TrimPrefix(databaseURL, "sqlite://")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		connector, err := (&sqlitedriver.SQLite{}).OpenConnector(sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("open sqlite database: %w", err)
		}
		dial, dialect = gormlite.OpenDB(sql.OpenDB(statementCachingConnector{connector})), SQLite
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		dial, dialect = postgres.Open(databaseURL), Postgres
	default:
		return nil, fmt.Errorf("unsupported database URL scheme")
	}
	gdb, err := gorm.Open(dial, &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		SkipDefaultTransaction: true,
		TranslateError:         false,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == SQLite {
		// WAL lets readers run beside the single writer; writers queue on
		// busy_timeout because every transaction begins IMMEDIATE. Every
		// connection stays open: database/sql keeps two idle by default,
		// and closing the others threw away their page caches and
		// prepared statements (opening connections again took 14 % of the
		// CPU of a booking load).
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	st := &Store{Q: Q{db: gdb, dialect: dialect}, sqlDB: sqlDB, dialect: dialect}
	if dialect == SQLite {
		st.writer = make(chan struct{}, 1)
	}
	return st, nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Add("_pragma", "synchronous(normal)")
	q.Set("_txlock", "immediate")
	// Times are written as SQLite's own "YYYY-MM-DD HH:MM:SS" in UTC: fixed
	// width, so text comparisons order correctly, and the format River's
	// SQLite driver compares against datetime('now').
	// Read back in that format too, not the driver's "auto" (for "sqlite"),
	// which tries six other layouts first, each failing parse costing an
	// error: 1.4 ms of a series preview's 4.3 ms of CPU. It is the same
	// constant as sqlite3.TimeFormat3, so writes stay in UTC as before and
	// reads still accept the fractional seconds River writes.
	q.Set("_timefmt", string(sqlite3.TimeFormat3))
	return (&url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: q.Encode()}).String()
}

// Dialect reports the engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// SQLDB is the shared pool, for the job engine.
func (s *Store) SQLDB() *sql.DB { return s.sqlDB }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.sqlDB.PingContext(ctx)
}

// Close closes the pool.
func (s *Store) Close() error { return s.sqlDB.Close() }

// Tx is a unit of work: the same query methods, inside one transaction, plus
// the raw transaction for enqueueing jobs atomically with the data.
type Tx struct {
	Q
}

// SQLTx is the transaction's database/sql handle (for the job engine).
func (t *Tx) SQLTx() *sql.Tx {
	tx, _ := t.db.Statement.ConnPool.(*sql.Tx)
	return tx
}

// InTx runs fn in a transaction, committed when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	if s.writer != nil {
		select {
		case s.writer <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("wait for the database's writer: %w", ctx.Err())
		}
		defer func() { <-s.writer }()
	}
	return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		return fn(&Tx{Q: Q{db: gtx, dialect: s.dialect}})
	})
}

// Q holds the query methods shared by Store and Tx.
type Q struct {
	db      *gorm.DB
	dialect Dialect
}

// with scopes a query to ctx with the per-query timeout.
func (q Q) with(ctx context.Context) (*gorm.DB, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return q.db.WithContext(ctx), func() {}
	}
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	return q.db.WithContext(ctx), cancel
}

// Exec runs a raw statement; for seeding tools and tests, not services.
func (q Q) Exec(ctx context.Context, sql string, args ...any) error {
	db, cancel := q.with(ctx)
	defer cancel()
	return translate(db.Exec(sql, args...).Error)
}
