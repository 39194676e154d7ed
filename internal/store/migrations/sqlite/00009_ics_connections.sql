-- +goose Up
-- Connections may be published calendar addresses (provider 'ics'). SQLite
-- cannot alter a CHECK constraint, and rebuilding the table would cascade
-- its deletion to the calendars; the documented way for a change that
-- leaves the stored format alone is to edit the schema text (ALTER TABLE,
-- section 7), then bump the schema version (any DDL does) so that every
-- connection reloads it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (provider IN (''caldav'', ''google''))', 'CHECK (provider IN (''caldav'', ''google'', ''ics''))')
 WHERE type = 'table' AND name = 'connections';
PRAGMA writable_schema = OFF;
CREATE TABLE schema_version_bump (x INTEGER);
DROP TABLE schema_version_bump;

-- +goose Down
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (provider IN (''caldav'', ''google'', ''ics''))', 'CHECK (provider IN (''caldav'', ''google''))')
 WHERE type = 'table' AND name = 'connections';
PRAGMA writable_schema = OFF;
CREATE TABLE schema_version_bump (x INTEGER);
DROP TABLE schema_version_bump;
