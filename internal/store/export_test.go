package store

import "context"

// MigrateSchemaDownTo undoes the schema's migrations after version, so a
// test can write data as an older release did and migrate it up again.
func (s *Store) MigrateSchemaDownTo(ctx context.Context, version int64) error {
	p, err := s.schemaMigrations()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// MigrateSchemaUp applies the schema's migrations not applied yet.
func (s *Store) MigrateSchemaUp(ctx context.Context) error { return s.migrateSchema(ctx) }
