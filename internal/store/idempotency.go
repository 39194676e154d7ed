package store

import (
	"context"
	"fmt"
)

// IdempotencyKey reads the key (scope, key).
func (q Q) IdempotencyKey(ctx context.Context, scope, key string) (*IdempotencyKey, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var k IdempotencyKey
	if err := db.Where("scope = ? AND key = ?", scope, key).Take(&k).Error; err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", translate(err))
	}
	return &k, nil
}

// SaveIdempotencyKey stores the booking a keyed request created; a
// concurrent request with the same key makes it fail with ErrDuplicate.
func (q Q) SaveIdempotencyKey(ctx context.Context, k *IdempotencyKey) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(k).Error; err != nil {
		return fmt.Errorf("save idempotency key: %w", translate(err))
	}
	return nil
}
