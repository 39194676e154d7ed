package store

import (
	"context"
	"fmt"
	"time"
)

// Staff is a row of staff: an admin or a coordinator of the programme.
type Staff struct {
	ID        string
	Name      string
	Email     string
	EmailKey  string
	Role      string
	CreatedAt time.Time
}

// TableName overrides gorm's pluralisation.
func (Staff) TableName() string { return "staff" }

// StaffSigninToken is a single-use staff sign-in link.
type StaffSigninToken struct {
	TokenHash string `gorm:"primaryKey"`
	StaffID   string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// StaffSession is a signed-in browser of the console.
type StaffSession struct {
	TokenHash string `gorm:"primaryKey"`
	StaffID   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertStaff stores a staff member; an address already held (without
// case) is ErrDuplicate.
func (q Q) InsertStaff(ctx context.Context, m *Staff) error {
	m.CreatedAt = UTCSecond(m.CreatedAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("insert staff: %w", translate(err))
	}
	return nil
}

// StaffMember reads one staff member.
func (q Q) StaffMember(ctx context.Context, id string) (*Staff, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Staff
	if err := db.Where("id = ?", id).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("read staff %s: %w", id, translate(err))
	}
	return &m, nil
}

// StaffByEmailKey reads the staff member with this lower-case address.
func (q Q) StaffByEmailKey(ctx context.Context, key string) (*Staff, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Staff
	if err := db.Where("email_key = ?", key).Take(&m).Error; err != nil {
		return nil, fmt.Errorf("read staff by email: %w", translate(err))
	}
	return &m, nil
}

// StaffAfter lists up to limit staff members in creation order, after the
// key (created_at, id) of the last one of the previous page (zero for the
// first page).
func (q Q) StaffAfter(ctx context.Context, afterAt time.Time, afterID string, limit int) ([]Staff, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []Staff
	tx := db.Order("created_at, id").Limit(limit)
	if afterID != "" {
		at := UTCSecond(afterAt)
		tx = tx.Where("created_at > ? OR (created_at = ? AND id > ?)", at, at, afterID)
	}
	if err := tx.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list staff: %w", translate(err))
	}
	return out, nil
}

// DeleteStaff removes a staff member with their sign-in links and
// sessions (deleted here too, not only by the foreign keys' cascade, so
// that the sessions end even where a database runs without them).
func (q Q) DeleteStaff(ctx context.Context, id string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Where("staff_id = ?", id).Delete(&StaffSession{}).Error; err != nil {
		return fmt.Errorf("end staff sessions: %w", translate(err))
	}
	if err := db.Where("staff_id = ?", id).Delete(&StaffSigninToken{}).Error; err != nil {
		return fmt.Errorf("delete staff sign-in links: %w", translate(err))
	}
	res := db.Where("id = ?", id).Delete(&Staff{})
	if res.Error != nil {
		return fmt.Errorf("delete staff %s: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// CountStaffAdmins counts the staff members with the admin role.
func (q Q) CountStaffAdmins(ctx context.Context) (int64, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var n int64
	if err := db.Model(&Staff{}).Where("role = ?", "admin").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count staff admins: %w", translate(err))
	}
	return n, nil
}

// StaffAdmins lists the staff members with the admin role.
func (q Q) StaffAdmins(ctx context.Context) ([]Staff, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var out []Staff
	if err := db.Where("role = ?", "admin").Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list staff admins: %w", translate(err))
	}
	return out, nil
}

// InsertStaffSigninToken stores a staff sign-in link's hash.
func (q Q) InsertStaffSigninToken(ctx context.Context, t *StaffSigninToken) error {
	t.ExpiresAt = UTCSecond(t.ExpiresAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(t).Error; err != nil {
		return fmt.Errorf("insert staff sign-in token: %w", translate(err))
	}
	return nil
}

// UseStaffSigninToken marks an unexpired, unused staff sign-in token as
// used and returns its staff member's id; one conditional UPDATE, so two
// racing requests cannot both use it.
func (q Q) UseStaffSigninToken(ctx context.Context, hash string, now time.Time) (string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Model(&StaffSigninToken{}).
		Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, UTCSecond(now)).
		Update("used_at", UTCSecond(now))
	if res.Error != nil {
		return "", fmt.Errorf("use staff sign-in token: %w", translate(res.Error))
	}
	if res.RowsAffected != 1 {
		return "", ErrNotFound
	}
	var t StaffSigninToken
	if err := db.Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return "", fmt.Errorf("read staff sign-in token: %w", translate(err))
	}
	return t.StaffID, nil
}

// InsertStaffSession stores a signed-in console browser's session.
func (q Q) InsertStaffSession(ctx context.Context, m *StaffSession) error {
	m.CreatedAt, m.ExpiresAt = UTCSecond(m.CreatedAt), UTCSecond(m.ExpiresAt)
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(m).Error; err != nil {
		return fmt.Errorf("insert staff session: %w", translate(err))
	}
	return nil
}

// StaffOfSession returns the staff member of an unexpired session.
func (q Q) StaffOfSession(ctx context.Context, hash string, now time.Time) (*Staff, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var m Staff
	err := db.Joins("JOIN staff_sessions ss ON ss.staff_id = staff.id").
		Where("ss.token_hash = ? AND ss.expires_at > ?", hash, UTCSecond(now)).Take(&m).Error
	if err != nil {
		return nil, fmt.Errorf("read staff session: %w", translate(err))
	}
	return &m, nil
}

// DeleteStaffSessions ends a session by its hash, or with all set, every
// session of that session's staff member.
func (q Q) DeleteStaffSessions(ctx context.Context, hash string, all bool) error {
	db, cancel := q.with(ctx)
	defer cancel()
	cond := "token_hash = ?"
	if all {
		cond = "staff_id IN (SELECT staff_id FROM staff_sessions WHERE token_hash = ?)"
	}
	if err := db.Where(cond, hash).Delete(&StaffSession{}).Error; err != nil {
		return fmt.Errorf("delete staff sessions: %w", translate(err))
	}
	return nil
}
