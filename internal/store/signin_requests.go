package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// SigninRequest is one sign-in link asked for an address.
type SigninRequest struct {
	AddressHash string
	RequestedAt time.Time
}

// RecordSigninRequest counts a sign-in request for an address (by hash)
// unless limit requests were already counted within window before now;
// then nothing is recorded and retryAfter says when the oldest of them
// leaves the window. Counting and recording are one step across
// processes: concurrent requests for one address cannot pass the limit
// together.
func (s *Store) RecordSigninRequest(ctx context.Context, addressHash string, now time.Time, window time.Duration, limit int) (retryAfter time.Duration, err error) {
	now = UTCSecond(now)
	err = s.InTx(ctx, func(tx *Tx) error {
		db, cancel := tx.with(ctx)
		defer cancel()
		// SQLite transactions already serialise writers (IMMEDIATE).
		if s.dialect == Postgres {
			if err := db.Exec("SELECT pg_advisory_xact_lock(?)", signinLockKey(addressHash)).Error; err != nil {
				return translate(err)
			}
		}
		var recent []time.Time
		err := db.Model(&SigninRequest{}).Where("address_hash = ? AND requested_at > ?", addressHash, now.Add(-window)).
			Order("requested_at").Limit(limit).Pluck("requested_at", &recent).Error
		if err != nil {
			return translate(err)
		}
		if len(recent) >= limit {
			retryAfter = max(recent[0].Add(window).Sub(now), time.Second)
			return nil
		}
		return translate(db.Create(&SigninRequest{AddressHash: addressHash, RequestedAt: now}).Error)
	})
	if err != nil {
		return 0, fmt.Errorf("record sign-in request: %w", err)
	}
	return retryAfter, nil
}

// signinLockKey is the advisory lock id of an address's requests; a rare
// collision only serialises two unrelated requests.
func signinLockKey(addressHash string) int64 {
	h := fnv.New64a()
	h.Write([]byte("rendezvous/signin-request/" + addressHash))
	return int64(h.Sum64())
}
