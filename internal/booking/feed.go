package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
)

// What a mentor's feed holds: sessions from 90 days back on, and cancelled
// ones for 30 days after cancellation so subscribed clients drop them.
const (
	feedPast      = 90 * 24 * time.Hour
	feedCancelled = 30 * 24 * time.Hour
	// feedRefresh is the REFRESH-INTERVAL suggested to subscribers.
	feedRefresh = time.Hour
)

// Feed is a rendered feed with its validators.
type Feed struct {
	ETag     string
	Modified time.Time
	// Body is nil when the caller's ETag already matches.
	Body []byte
}

var errNoFeed = apperr.Errorf(apperr.NotFound, "no such feed")

// MentorFeed renders the feed behind a feed token. When ifNoneMatch equals
// the current ETag it skips reading and encoding the sessions.
func (s *Service) MentorFeed(ctx context.Context, token, ifNoneMatch string) (*Feed, error) {
	if !secret.Plausible(token) {
		return nil, errNoFeed
	}
	mentor, err := s.store.MentorByFeedTokenHash(ctx, secret.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoFeed
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	since, cancelledSince := now.Add(-feedPast), now.Add(-feedCancelled)
	v, err := s.store.MentorFeedVersion(ctx, mentor.ID, since, cancelledSince)
	if err != nil {
		return nil, err
	}
	f := &Feed{ETag: feedETag(mentor, v, now), Modified: v.Modified}
	if f.Modified.Before(mentor.UpdatedAt) {
		f.Modified = mentor.UpdatedAt.UTC()
	}
	if ifNoneMatch != "" && secret.Equal(ifNoneMatch, f.ETag) {
		return f, nil
	}
	rows, err := s.store.MentorFeedSessions(ctx, mentor.ID, since, cancelledSince)
	if err != nil {
		return nil, err
	}
	// The feed is the mentor's, and its address travels (calendar services
	// fetch and keep it): it must not carry the mentee's manage link, which
	// would let anyone holding the feed move or cancel sessions. The
	// encoder's "Reschedule or cancel" line points at the mentor area.
	mentorArea := s.link("/mentor")
	sessions := make([]calendar.Session, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		mentee := &store.Mentee{Name: r.MenteeName, Email: r.MenteeEmail}
		sess := SessionOf(&r.Booking, mentor, mentee, mentorArea, r.UpdatedAt)
		sess.VideoURL = s.videoURLFor(&r.Booking, true)
		sessions = append(sessions, sess)
	}
	f.Body, err = calendar.EncodeFeed(calendar.Feed{Name: "Mentoring — " + mentor.Name, RefreshInterval: feedRefresh, Sessions: sessions})
	if err != nil {
		return nil, fmt.Errorf("encode feed of mentor %s: %w", mentor.ID, err)
	}
	return f, nil
}

// feedETag changes when a session changes, when the mentor changes, and
// each day (the 90-day window slides).
func feedETag(m *store.Mentor, v store.FeedVersion, now time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%d|%d|%s", m.ID, v.Count, v.Sequences, v.Modified.UnixNano(), m.UpdatedAt.UnixNano(), now.Format(time.DateOnly)))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
