package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Connection statuses.
const (
	ConnectionOK             = "ok"
	ConnectionError          = "error"
	ConnectionReauthRequired = "reauth_required"
)

// InsertConnection stores a new calendar connection.
func (q Q) InsertConnection(ctx context.Context, c *Connection) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(c).Error; err != nil {
		return fmt.Errorf("insert connection: %w", translate(err))
	}
	return nil
}

// Connection reads a connection by id, whoever owns it (jobs).
func (q Q) Connection(ctx context.Context, id string) (*Connection, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var c Connection
	if err := db.Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("read connection %s: %w", id, translate(err))
	}
	return &c, nil
}

// MentorConnection reads one of a mentor's connections; another mentor's
// connection is ErrNotFound.
func (q Q) MentorConnection(ctx context.Context, mentorID, id string) (*Connection, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var c Connection
	if err := db.Where("id = ? AND mentor_id = ?", id, mentorID).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("read connection %s: %w", id, translate(err))
	}
	return &c, nil
}

// MentorConnections lists a mentor's connections, oldest first.
func (q Q) MentorConnections(ctx context.Context, mentorID string) ([]Connection, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var cs []Connection
	if err := db.Where("mentor_id = ?", mentorID).Order("created_at, id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("list connections of mentor %s: %w", mentorID, translate(err))
	}
	return cs, nil
}

// AllConnections lists every connection with what sync scheduling needs.
func (q Q) AllConnections(ctx context.Context) ([]Connection, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var cs []Connection
	err := db.Select("id, mentor_id, provider, status, consecutive_failures, last_attempt_at, last_success_at").
		Order("id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", translate(err))
	}
	return cs, nil
}

// DeleteConnection removes a mentor's connection; its calendars, items and
// busy time go with it (ON DELETE CASCADE).
func (q Q) DeleteConnection(ctx context.Context, mentorID, id string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Where("id = ? AND mentor_id = ?", id, mentorID).Delete(&Connection{})
	if res.Error != nil {
		return fmt.Errorf("delete connection %s: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete connection %s: %w", id, ErrNotFound)
	}
	return nil
}

// ClaimSyncLease takes the connection's sync lease for owner until until,
// if nobody holds an unexpired one. A single conditional UPDATE, so it is
// atomic on both engines and across processes.
func (q Q) ClaimSyncLease(ctx context.Context, id, owner string, now, until time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&Connection{}).
		Where("id = ? AND (sync_lease_until IS NULL OR sync_lease_until < ?)", id, UTCSecond(now)).
		Updates(map[string]any{"sync_lease_owner": owner, "sync_lease_until": UTCSecond(until)})
	if res.Error != nil {
		return false, fmt.Errorf("claim sync lease of connection %s: %w", id, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// ReleaseSyncLease gives the lease back, if owner still holds it.
func (q Q) ReleaseSyncLease(ctx context.Context, id, owner string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Model(&Connection{}).Where("id = ? AND sync_lease_owner = ?", id, owner).
		Updates(map[string]any{"sync_lease_owner": "", "sync_lease_until": gorm.Expr("NULL")}).Error
	if err != nil {
		return fmt.Errorf("release sync lease of connection %s: %w", id, translate(err))
	}
	return nil
}

// SyncLeaseHeld reports whether someone holds an unexpired sync lease.
func (q Q) SyncLeaseHeld(ctx context.Context, id string, now time.Time) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	err := db.Model(&Connection{}).Where("id = ? AND sync_lease_until >= ?", id, UTCSecond(now)).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("read sync lease of connection %s: %w", id, translate(err))
	}
	return n > 0, nil
}

// SyncOutcome is the result of one sync attempt of a connection.
type SyncOutcome struct {
	At     time.Time
	Status string // ConnectionOK, ConnectionError or ConnectionReauthRequired
	Error  string // a human reason; "" when Status is ok
}

// RecordSyncOutcome updates a connection's status after a sync attempt:
// success resets the failure count and stamps last_success_at; failure
// increments it and keeps last_success_at.
func (q Q) RecordSyncOutcome(ctx context.Context, id string, o SyncOutcome) error {
	db, cancel := q.with(ctx)
	defer cancel()
	at := o.At.UTC().Truncate(time.Microsecond)
	cols := map[string]any{"status": o.Status, "last_error": o.Error, "last_attempt_at": at, "updated_at": at}
	if o.Status == ConnectionOK {
		cols["consecutive_failures"] = 0
		cols["last_success_at"] = at
	} else {
		cols["consecutive_failures"] = gorm.Expr("consecutive_failures + 1")
	}
	if err := db.Model(&Connection{}).Where("id = ?", id).Updates(cols).Error; err != nil {
		return fmt.Errorf("record sync of connection %s: %w", id, translate(err))
	}
	return nil
}
