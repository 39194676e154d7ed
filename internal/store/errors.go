package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"
)

var (
	// ErrNotFound means no row matched.
	ErrNotFound = errors.New("not found")
	// ErrOverlap means a live booking would overlap another of its mentor.
	ErrOverlap = errors.New("booking overlaps another session")
	// ErrDuplicate means a unique constraint refused the write.
	ErrDuplicate = errors.New("duplicate")
)

// translate maps driver errors to the package's sentinels. gorm's own
// translation misses PostgreSQL's exclusion violation (23P01).
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23P01":
			return errors.Join(ErrOverlap, err)
		case "23505":
			return errors.Join(ErrDuplicate, err)
		}
		return err
	}
	var lite *sqlite3.Error
	if errors.As(err, &lite) {
		switch {
		case strings.Contains(lite.Error(), "bookings_no_overlap"):
			return errors.Join(ErrOverlap, err)
		case lite.ExtendedCode() == sqlite3.CONSTRAINT_UNIQUE || lite.ExtendedCode() == sqlite3.CONSTRAINT_PRIMARYKEY:
			return errors.Join(ErrDuplicate, err)
		}
	}
	return err
}

// IsBusy reports whether err is SQLite's "database is locked": the write
// lock stayed taken longer than busy_timeout. A transaction that failed
// so wrote nothing (they begin IMMEDIATE) and may be run again.
func IsBusy(err error) bool {
	var lite *sqlite3.Error
	return errors.As(err, &lite) && lite.Code() == sqlite3.BUSY
}
