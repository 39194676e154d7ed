package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"
)

// Setting keys.
const (
	SettingAdminTokenHash = "admin_token_hash"
)

// Setting returns a setting's value, or ErrNotFound.
func (q Q) Setting(ctx context.Context, key string) (string, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var s Setting
	if err := db.Where("key = ?", key).Take(&s).Error; err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, translate(err))
	}
	return s.Value, nil
}

// PutSetting writes a setting, replacing any value.
func (q Q) PutSetting(ctx context.Context, key, value string) error {
	db, cancel := q.with(ctx)
	defer cancel()
	err := db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: value}).Error
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, translate(err))
	}
	return nil
}

// PutSettingIfAbsent writes a setting unless one exists; it reports whether
// it wrote. Two processes starting at once agree on one value.
func (q Q) PutSettingIfAbsent(ctx context.Context, key, value string) (bool, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: key, Value: value})
	if res.Error != nil {
		return false, fmt.Errorf("write setting %s: %w", key, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}
