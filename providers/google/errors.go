package google

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

// Sentinels for errors.Is. Every error returned by this package wraps at
// most one of them, with the original error text kept for logs.
var (
	// ErrInvalidGrant: the authorization code or refresh token was revoked,
	// expired or already used. The connection needs a new consent.
	ErrInvalidGrant = errors.New("google: grant revoked or expired (reconnect needed)")
	// ErrUnauthorized: Google rejected the access token (401). Usually
	// transient (clock skew, token just revoked); if the grant itself is
	// gone the next refresh reports ErrInvalidGrant.
	ErrUnauthorized = errors.New("google: access token rejected")
	// ErrScopesDenied: the user unticked a permission we need on the
	// consent screen.
	ErrScopesDenied = errors.New("google: required permissions not granted")
	// ErrForbidden: 403 that is not a rate limit (insufficient permission,
	// calendar not writable, API disabled).
	ErrForbidden = errors.New("google: forbidden")
	// ErrNotFound: the calendar or event does not exist (404).
	ErrNotFound = errors.New("google: not found")
	// ErrUnavailable: 5xx, network failure or timeout. Retry later.
	ErrUnavailable = errors.New("google: unavailable")
	// ErrRateLimited: still rate limited after our own backoff. It is also
	// ErrUnavailable, so generic retry logic treats it as retryable.
	ErrRateLimited = fmt.Errorf("google: rate limited: %w", ErrUnavailable)
)

// classified pairs a sentinel with the underlying error so that both
// errors.Is(err, sentinel) and errors.As(err, *googleapi.Error) work.
type classified struct {
	kind error
	op   string
	err  error
}

func (c *classified) Error() string   { return c.op + ": " + c.kind.Error() + ": " + c.err.Error() }
func (c *classified) Unwrap() []error { return []error{c.kind, c.err} }

// classify wraps err from a Calendar API call with the matching sentinel.
// Context cancellation is returned as is (wrapped with op) so callers see
// their own cancellation rather than "unavailable".
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrInvalidGrant) || errors.Is(err, ErrUnavailable) ||
		errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) {
		return classifyRetrieve(op, re)
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		switch {
		case isRateLimit(gerr):
			return &classified{ErrRateLimited, op, err}
		case gerr.Code == http.StatusUnauthorized:
			return &classified{ErrUnauthorized, op, err}
		case gerr.Code == http.StatusForbidden:
			return &classified{ErrForbidden, op, err}
		case gerr.Code == http.StatusNotFound:
			return &classified{ErrNotFound, op, err}
		case gerr.Code >= 500:
			return &classified{ErrUnavailable, op, err}
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	// *url.Error (every transport failure) is a net.Error.
	var netErr net.Error
	if errors.As(err, &netErr) {
		return &classified{ErrUnavailable, op, err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// classifyRetrieve maps a token-endpoint error. invalid_grant is the one
// Google uses for revoked, expired and reused codes and refresh tokens.
func classifyRetrieve(op string, re *oauth2.RetrieveError) error {
	// The RetrieveError itself is deliberately not kept in the chain: the
	// API transport (oauth2adapt) would otherwise convert it and drop our
	// sentinel. Its text is enough for logs.
	detail := errors.New(re.Error())
	switch {
	case re.ErrorCode == "invalid_grant":
		return &classified{ErrInvalidGrant, op, detail}
	case re.Response != nil && re.Response.StatusCode >= 500:
		return &classified{ErrUnavailable, op, detail}
	}
	return fmt.Errorf("%s: %w", op, detail)
}

// isRateLimit recognises Google's two ways of saying "slow down": 429, and
// 403 with a usage-limit reason.
func isRateLimit(gerr *googleapi.Error) bool {
	if gerr.Code == http.StatusTooManyRequests {
		return true
	}
	if gerr.Code != http.StatusForbidden {
		return false
	}
	for _, item := range gerr.Errors {
		switch item.Reason {
		case "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded":
			return true
		}
	}
	return false
}

// apiStatus returns the HTTP status of a Calendar API error, or 0.
func apiStatus(err error) int {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return gerr.Code
	}
	return 0
}

// apiReason returns the first error reason of a Calendar API error.
func apiReason(err error) string {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && len(gerr.Errors) > 0 {
		return gerr.Errors[0].Reason
	}
	return ""
}
