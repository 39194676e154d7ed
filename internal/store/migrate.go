package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrations embed.FS

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations when several processes start at once.
const migrationLockKey = 7_346_214_001

// Migrate applies our schema migrations and the job engine's, under a lock
// on PostgreSQL so concurrent starts do not race.
func (s *Store) Migrate(ctx context.Context) error {
	if s.dialect == Postgres {
		conn, err := s.sqlDB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}
	if err := s.migrateSchema(ctx); err != nil {
		return err
	}
	return s.migrateJobs(ctx)
}

// schemaMigrations is the migration runner of the store's dialect.
func (s *Store) schemaMigrations() (*goose.Provider, error) {
	dir, gooseDialect := "migrations/sqlite", goose.DialectSQLite3
	if s.dialect == Postgres {
		dir, gooseDialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(gooseDialect, s.sqlDB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return p, nil
}

func (s *Store) migrateSchema(ctx context.Context) error {
	p, err := s.schemaMigrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

func (s *Store) migrateJobs(ctx context.Context) error {
	var err error
	if s.dialect == Postgres {
		err = migrateRiver(ctx, riverdatabasesql.New(s.sqlDB))
	} else {
		err = migrateRiver(ctx, riversqlite.New(s.sqlDB))
	}
	if err != nil {
		return fmt.Errorf("migrate job tables: %w", err)
	}
	return nil
}

func migrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}
