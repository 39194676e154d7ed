package google

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the client's own retries of rate-limited and 5xx
// answers. Longer outages are left to the caller's durable jobs.
type RetryPolicy struct {
	// Attempts is the total number of tries (1 = no retry).
	Attempts int
	// Base is the first delay; each retry doubles it, up to Max.
	Base, Max time.Duration
	// Sleep waits for d or until ctx ends. Tests replace it to avoid
	// waiting; nil means a real, context-aware sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetryPolicy follows Google's advice for Calendar usage limits:
// exponential backoff with jitter, a handful of attempts.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Attempts: 5, Base: 500 * time.Millisecond, Max: 16 * time.Second}
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// delay is the "full jitter" backoff for retry n (0-based): a uniform
// draw in [d/2, d] with d = Base·2^n capped at Max, so that processes
// throttled together do not retry together.
func (p RetryPolicy) delay(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// do runs call until it succeeds, fails with a non-retryable error, or the
// attempts are used up. call returns raw API errors; do classifies them.
func (p RetryPolicy) do(ctx context.Context, op string, call func() error) error {
	attempts := max(p.Attempts, 1)
	var err error
	for n := 0; n < attempts; n++ {
		if n > 0 {
			if serr := p.sleep(ctx, p.delay(n-1)); serr != nil {
				return classify(op, errors.Join(serr, err))
			}
		}
		err = call()
		if err == nil || !retryable(err) {
			break
		}
	}
	return classify(op, err)
}

// retryable reports whether err is worth retrying at once: rate limits
// and server errors. Network errors are not retried here because a write
// may have reached Google; the durable job layer retries those.
func retryable(err error) bool {
	status := apiStatus(err)
	if status >= 500 {
		return true
	}
	return errors.Is(classify("", err), ErrRateLimited)
}
