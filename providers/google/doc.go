// Package google connects Rendezvous to Google Calendar: the OAuth 2.0
// consent flow (offline access, PKCE), a token source that persists
// refreshed tokens, and a Calendar v3 client that lists calendars, computes
// busy time with incremental sync, writes sessions back (optionally with a
// Google Meet link) and manages push-notification channels.
//
// The package performs no storage itself: tokens go through TokenStore and
// sync state travels in calendar.ChangeSet.State, so the core owns
// encryption, locking and scheduling. Errors are classified with sentinels
// (ErrInvalidGrant, ErrForbidden, ErrNotFound, ErrUnavailable, ...) for
// errors.Is.
package google
