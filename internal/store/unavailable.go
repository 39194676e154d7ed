package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
)

// Unavailable reports whether err means the database could not serve the
// request for now (down, restarting, out of connections, locked, or the
// request's time ran out) rather than that the request was wrong: the
// caller should answer 503 and the client may retry.
func (s *Store) Unavailable(err error) bool { return IsUnavailable(err) }

// IsUnavailable is Unavailable without a store.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	// A connection cut under a query surfaces as an unexpected EOF or a
	// reset; the pool opens a new one for the retry.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "57P01", "57P02", "57P03", // admin shutdown, crash shutdown, cannot connect now
			"53300",          // too many connections
			"57014",          // query cancelled (statement timeout)
			"08000", "08003", // connection exception, connection does not exist
			"08006", "08001", "08004":
			return true
		}
		return false
	}
	var lite *sqlite3.Error
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqlite3.BUSY, sqlite3.LOCKED, sqlite3.INTERRUPT:
			return true
		}
		return false
	}
	var op *net.OpError
	return errors.As(err, &op)
}
