package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/calendar/ical"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/outbox"
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
	// feedEncoders encode a large feed's batches in parallel.
	feedEncoders = 2
)

// Feed is a rendered feed with its validators.
type Feed struct {
	ETag     string
	Modified time.Time
	// Body is nil when the caller's copy is current.
	Body *ical.FeedWriter
}

var errNoFeed = apperr.Errorf(apperr.NotFound, "no such feed")

// FeedConditions are a subscriber's validators from a previous fetch.
type FeedConditions struct {
	IfNoneMatch     string
	IfModifiedSince time.Time // zero when not given
}

func (c FeedConditions) given() bool { return c.IfNoneMatch != "" || !c.IfModifiedSince.IsZero() }

// notModified applies the validators as RFC 9110 does: If-None-Match wins
// over If-Modified-Since, which compares whole seconds.
func (c FeedConditions) notModified(f *Feed) bool {
	if c.IfNoneMatch != "" {
		return secret.Equal(c.IfNoneMatch, f.ETag)
	}
	return !c.IfModifiedSince.IsZero() && !f.Modified.IsZero() && !f.Modified.Truncate(time.Second).After(c.IfModifiedSince)
}

// MentorFeed renders the feed behind a feed token; Body is nil when the
// subscriber's copy is current. A conditional request is answered from
// one aggregate query when nothing changed; an unconditional one reads the
// sessions once and derives the validators from them.
func (s *Service) MentorFeed(ctx context.Context, token string, cond FeedConditions) (*Feed, error) {
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
	if cond.given() {
		v, err := s.store.MentorFeedVersion(ctx, mentor.ID, since, cancelledSince)
		if err != nil {
			return nil, err
		}
		if f := newFeed(mentor, v, now); cond.notModified(f) {
			return f, nil
		}
	}
	body, v, err := s.renderFeed(ctx, mentor, since, cancelledSince)
	if err != nil {
		return nil, err
	}
	f := newFeed(mentor, v, now)
	f.Body = body
	return f, nil
}

// renderFeed reads and encodes a feed's sessions side by side, one
// goroutine reading batches from the database while others encode them,
// and reports the version of what it read.
func (s *Service) renderFeed(ctx context.Context, mentor *store.Mentor, since, cancelledSince time.Time) (*ical.FeedWriter, store.FeedVersion, error) {
	// The feed is the mentor's, and its address travels (calendar services
	// fetch and keep it): it must not carry the mentee's manage link, which
	// would let anyone holding the feed move or cancel sessions. Each
	// session links to its page in the mentor area instead, which needs
	// the mentor signed in. (Joined once: ids need no escaping.)
	sessionPages := s.links.MentorSessionPrefix()
	type batch struct {
		seq  int
		rows []store.FeedSession
	}
	type part struct {
		events ical.FeedEvents
		v      store.FeedVersion
	}
	batches := make(chan batch, 4)
	var mu sync.Mutex
	var parts []part // by batch number
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		seq := 0
		return s.store.MentorFeedSessions(gctx, mentor.ID, since, cancelledSince, func(rows []store.FeedSession) error {
			select {
			case batches <- batch{seq, rows}:
				seq++
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	for range feedEncoders {
		g.Go(func() error {
			for b := range batches {
				var p part
				var err error
				if p.events, p.v, err = s.encodeFeedBatch(mentor, sessionPages, b.rows); err != nil {
					return err
				}
				mu.Lock()
				if b.seq >= len(parts) {
					parts = append(parts, make([]part, b.seq+1-len(parts))...)
				}
				parts[b.seq] = p
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, store.FeedVersion{}, err
	}
	w := ical.NewFeedWriter("Mentoring — "+mentor.Name, feedRefresh)
	var v store.FeedVersion
	for _, p := range parts {
		w.AddEvents(p.events)
		v.Merge(p.v)
	}
	series, sv, err := s.encodeFeedSeries(ctx, mentor, sessionPages, since, cancelledSince)
	if err != nil {
		return nil, store.FeedVersion{}, err
	}
	w.AddEvents(series)
	v.Merge(sv)
	return w, v, nil
}

// encodeFeedSeries encodes the weekly series of a mentor's feed, each one
// event with its exceptions, linking to the page of its next session.
func (s *Service) encodeFeedSeries(ctx context.Context, mentor *store.Mentor, sessionPages string, since, cancelledSince time.Time) (ical.FeedEvents, store.FeedVersion, error) {
	var v store.FeedVersion
	ids, err := s.store.MentorFeedSeries(ctx, mentor.ID, since, cancelledSince)
	if err != nil || len(ids) == 0 {
		return ical.FeedEvents{}, v, err
	}
	forms := make([]calendar.Session, 0, len(ids))
	now := s.now()
	for _, id := range ids {
		row, err := s.store.Series(ctx, id)
		if err != nil {
			return ical.FeedEvents{}, v, err
		}
		sessions, err := s.store.SeriesBookings(ctx, id)
		if err != nil || len(sessions) == 0 {
			return ical.FeedEvents{}, v, err
		}
		for i := range sessions {
			// Counted as the feed's version query counts them.
			b := &sessions[i]
			if !b.StartAt.Before(since.Add(-24*time.Hour)) && !b.EndAt.Before(since) &&
				(b.Status == store.StatusConfirmed || (b.CancelledAt != nil && !b.CancelledAt.Before(cancelledSince))) {
				v.Add(b.Sequence, b.UpdatedAt)
			}
		}
		about := &sessions[0]
		for i := range sessions {
			if sessions[i].Status == store.StatusConfirmed && sessions[i].EndAt.After(now) {
				about = &sessions[i]
				break
			}
		}
		mentee, err := s.store.Mentee(ctx, row.MenteeID)
		if err != nil {
			return ical.FeedEvents{}, v, fmt.Errorf("mentee of series %s: %w", id, err)
		}
		sess := outbox.SessionOf(about, mentor, mentee, sessionPages+about.ID, row.UpdatedAt)
		sess.VideoURL = s.outbox.VideoURL(about, true)
		form, err := outbox.SeriesForm(sess, &outbox.Series{Row: row, Sessions: sessions})
		if err != nil {
			return ical.FeedEvents{}, v, err
		}
		forms = append(forms, form)
	}
	events, err := ical.EncodeFeedSeries(forms)
	if err != nil {
		return ical.FeedEvents{}, v, fmt.Errorf("encode feed series of mentor %s: %w", mentor.ID, err)
	}
	return events, v, nil
}

// encodeFeedBatch encodes a batch of a mentor's feed sessions, each
// linking to its page under sessionPages, and counts them.
func (s *Service) encodeFeedBatch(mentor *store.Mentor, sessionPages string, rows []store.FeedSession) (ical.FeedEvents, store.FeedVersion, error) {
	var v store.FeedVersion
	var mentee store.Mentee
	sessions := make([]calendar.Session, len(rows))
	for i := range rows {
		r := &rows[i]
		v.Add(r.Sequence, r.UpdatedAt)
		mentee.Name, mentee.Email = r.MenteeName, r.MenteeEmail
		sessions[i] = outbox.SessionOf(&r.Booking, mentor, &mentee, sessionPages+r.ID, r.UpdatedAt)
		sessions[i].VideoURL = s.outbox.VideoURL(&r.Booking, true)
	}
	events, err := ical.EncodeFeedEvents(sessions)
	if err != nil {
		return ical.FeedEvents{}, v, fmt.Errorf("encode feed of mentor %s: %w", mentor.ID, err)
	}
	return events, v, nil
}

// newFeed is a feed's validators: its Last-Modified is the latest change
// of a session or of the mentor.
func newFeed(m *store.Mentor, v store.FeedVersion, now time.Time) *Feed {
	f := &Feed{ETag: feedETag(m, v, now), Modified: v.Modified}
	if f.Modified.Before(m.UpdatedAt) {
		f.Modified = m.UpdatedAt.UTC()
	}
	return f
}

// feedETag changes when a session changes, when the mentor changes, and
// each day (the 90-day window slides).
func feedETag(m *store.Mentor, v store.FeedVersion, now time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%d|%d|%s", m.ID, v.Count, v.Sequences, v.Modified.UnixNano(), m.UpdatedAt.UnixNano(), now.Format(time.DateOnly)))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
