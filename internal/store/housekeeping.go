package store

import (
	"context"
	"fmt"
	"time"
)

// PurgeExpired deletes rows whose use is over: idempotency keys older than
// a day, used or expired OAuth states and sign-in tokens, and expired
// mentor and staff sessions, and webhook deliveries finished 30 days ago.
func (q Q) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	db, cancel := q.with(ctx)
	defer cancel()
	var total int64
	for _, del := range []struct {
		model any
		cond  string
		arg   time.Time
	}{
		{&IdempotencyKey{}, "created_at < ?", now.Add(-24 * time.Hour)},
		{&OAuthState{}, "expires_at < ?", now.Add(-time.Hour)},
		{&SigninToken{}, "expires_at < ?", now.Add(-time.Hour)},
		{&MentorSession{}, "expires_at < ?", now},
		{&StaffSigninToken{}, "expires_at < ?", now.Add(-time.Hour)},
		{&StaffSession{}, "expires_at < ?", now},
		// Longer than any sign-in limit's window.
		{&SigninRequest{}, "requested_at < ?", now.Add(-24 * time.Hour)},
		// Far longer than any mail job retries.
		{&SentMail{}, "sent_at < ?", now.Add(-30 * 24 * time.Hour)},
	} {
		res := db.Where(del.cond, del.arg).Delete(del.model)
		if res.Error != nil {
			return total, fmt.Errorf("purge expired: %w", translate(res.Error))
		}
		total += res.RowsAffected
	}
	// Finished webhook deliveries stay listed for 30 days.
	n, err := purgeWebhooks(db, now.Add(-30*24*time.Hour))
	return total + n, err
}
