package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
)

// SQLite spends more time compiling a statement than running most of ours:
// database/sql prepares every query with arguments again and closes it
// after, and neither gorm nor River's SQLite driver keeps statements
// (gorm's PrepareStmt mode would, but it hides the *sql.Tx the job engine
// needs). Profiles put 27–28 % of SQLite's CPU in the parser. So each
// connection keeps its recent statements, keyed by their text: Close puts
// one back instead of finalizing it.
const (
	// statementsPerConnection bounds the cache; the hot paths use a few
	// dozen distinct statements, and a compiled statement is a few KB.
	statementsPerConnection = 128
	// longestCachedStatement keeps one-off bulk statements (seeding,
	// imports, long IN lists) from filling the cache.
	longestCachedStatement = 4096
)

// statementCachingConnector wraps the SQLite driver's connector so every
// connection it makes caches its statements.
type statementCachingConnector struct {
	driver.Connector
}

func (c statementCachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("unexpected SQLite driver connection %T", conn)
	}
	return &statementCachingConn{sqliteConn: inner, byQuery: map[string]*list.Element{}}, nil
}

// sqliteConn is what database/sql and our raw-statement paths use of the
// driver's connection; embedding it forwards exactly these methods.
type sqliteConn interface {
	sqlitedriver.Conn
	driver.ExecerContext
	driver.NamedValueChecker
}

// sqliteStmt is the driver's statement.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
	driver.NamedValueChecker
	Reset() error
}

type statementCachingConn struct {
	sqliteConn
	// mu guards the cache: database/sql serialises calls on one
	// connection, but a statement's Close can come from a Rows closed by
	// another goroutine.
	mu      sync.Mutex
	byQuery map[string]*list.Element // of *cachedStatement
	recent  list.List                // most recently used first
}

var (
	_ driver.ConnPrepareContext = (*statementCachingConn)(nil)
	_ driver.ConnBeginTx        = (*statementCachingConn)(nil)
	_ driver.ExecerContext      = (*statementCachingConn)(nil)
	_ sqlitedriver.Conn         = (*statementCachingConn)(nil)
)

func (c *statementCachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext hands out the cached statement for query when it is not
// already in use on this connection (a query run again while its own rows
// are open gets a statement of its own, finalized on Close).
func (c *statementCachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	if el, ok := c.byQuery[query]; ok {
		s := el.Value.(*cachedStatement)
		if !s.inUse {
			s.inUse = true
			c.recent.MoveToFront(el)
			c.mu.Unlock()
			return s, nil
		}
		c.mu.Unlock()
		return c.sqliteConn.PrepareContext(ctx, query)
	}
	c.mu.Unlock()

	st, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil || len(query) > longestCachedStatement {
		return st, err
	}
	inner, ok := st.(sqliteStmt)
	if !ok {
		return st, nil
	}
	s := &cachedStatement{sqliteStmt: inner, conn: c, query: query, inUse: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byQuery[query] = c.recent.PushFront(s)
	for c.recent.Len() > statementsPerConnection {
		c.evict(c.recent.Back())
	}
	return s, nil
}

// evict drops a statement from the cache; one in use is finalized when it
// is given back. Called with mu held.
func (c *statementCachingConn) evict(el *list.Element) {
	s := c.recent.Remove(el).(*cachedStatement)
	delete(c.byQuery, s.query)
	s.evicted = true
	if !s.inUse {
		s.sqliteStmt.Close()
	}
}

// release takes back a statement its user closed.
func (c *statementCachingConn) release(s *cachedStatement) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.inUse = false
	if s.evicted {
		return s.sqliteStmt.Close()
	}
	// Rows and Exec leave it reset already; this makes sure of it. Its
	// error is the last step's, already reported to the statement's user,
	// and leaves the statement reusable.
	_ = s.sqliteStmt.Reset()
	return nil
}

// Close finalizes the cached statements first: SQLite refuses to close a
// connection that still has statements.
func (c *statementCachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for el := c.recent.Front(); el != nil; el = el.Next() {
		s := el.Value.(*cachedStatement)
		s.evicted = true
		errs = append(errs, s.sqliteStmt.Close())
	}
	c.byQuery, c.recent = nil, list.List{}
	c.mu.Unlock()
	errs = append(errs, c.sqliteConn.Close())
	return errors.Join(errs...)
}

// cachedStatement is a driver statement whose Close returns it to its
// connection's cache.
type cachedStatement struct {
	sqliteStmt
	conn    *statementCachingConn
	query   string
	inUse   bool
	evicted bool
}

func (s *cachedStatement) Close() error { return s.conn.release(s) }
