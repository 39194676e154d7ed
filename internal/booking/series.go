package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/rendezvous/rendezvous/calendar"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/secret"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/providers/video"
)

// SeriesInput is a mentee's request for a weekly series.
type SeriesInput struct {
	Start         time.Time
	Count         int
	IntervalWeeks int
	Name          string // required on a public link
	Email         string // required on a public link
	Timezone      string
	Language      string
	Note          string
	// SkipUnavailable books the free occurrences and lists the others;
	// false books nothing unless every occurrence is free.
	SkipUnavailable bool
}

// Skipped is an occurrence of a series that was not booked, and why.
type Skipped struct {
	Start  time.Time `json:"start"`
	Reason string    `json:"reason"`
}

// Series is a booked weekly series as its viewers see it.
type Series struct {
	ID       string
	UID      string
	Bookings []Booking
	Skipped  []Skipped
}

// PreviewSeries says, for each occurrence of a series on a link, whether
// it is free, and if not why and the nearest free start that day. It
// reads the database only, as Slots does.
func (s *Service) PreviewSeries(ctx context.Context, token string, start time.Time, count, interval int, tz string) (*SeriesPreview, error) {
	if err := checkSeriesShape(start, count, interval); err != nil {
		return nil, err
	}
	visitor, err := s.location("tz", tz)
	if err != nil {
		return nil, err
	}
	link, err := resolveLink(ctx, s.store.Q, token, false)
	if err != nil {
		return nil, err
	}
	occs, err := s.plan(ctx, s.store.Q, link.mentor, seriesRule{First: start, Count: count, IntervalWeeks: interval}, planOptions{})
	if err != nil {
		return nil, err
	}
	return &SeriesPreview{Timezone: visitor, Occurrences: occs}, nil
}

// plan checks a rule's start (grid, horizon) and then each occurrence.
func (s *Service) plan(ctx context.Context, q store.Q, m *store.Mentor, r seriesRule, opts planOptions) ([]Occurrence, error) {
	loc, err := s.location("timezone", m.Timezone)
	if err != nil {
		return nil, fmt.Errorf("mentor %s zone: %w", m.ID, err)
	}
	if !opts.anyHours {
		if err := onGrid(r.First, loc); err != nil {
			return nil, err
		}
	}
	if !opts.staffBooking && !opts.anyHours && m.HorizonDays > 0 {
		today := calendar.DateOf(s.now().In(loc))
		if calendar.DateOf(r.First.In(loc)).Compare(today.AddDays(m.HorizonDays)) > 0 {
			return nil, apperr.Field("start", "is past %s's booking horizon: a series is booked within the next %d days",
				m.Name, m.HorizonDays)
		}
	}
	return s.planSeries(ctx, q, m, r.starts(loc), opts)
}

// BookSeries books a weekly series on a link: every free occurrence (or,
// without SkipUnavailable, all of them or nothing) in one transaction
// under the mentor's lock, as Book does for one session. With idem, a
// repeated request returns the series it made first, and replayed is
// true.
func (s *Service) BookSeries(ctx context.Context, token string, in SeriesInput, idem *Idempotency) (*Series, bool, error) {
	if err := checkSeriesShape(in.Start, in.Count, in.IntervalWeeks); err != nil {
		return nil, false, err
	}
	if err := checkBookInput(BookInput{Start: in.Start, Name: in.Name, Email: in.Email, Timezone: in.Timezone, Note: in.Note}); err != nil {
		return nil, false, err
	}
	scope := secret.HashToken(token)
	if idem != nil {
		if first, err := s.replaySeries(ctx, scope, idem); first != nil || err != nil {
			return first, first != nil, err
		}
	}
	var out *Series
	err := s.inWriteTx(ctx, func(tx *store.Tx) error {
		link, err := resolveLink(ctx, tx.Q, token, true)
		if err != nil {
			return err
		}
		mentee, err := s.menteeFor(ctx, tx, link, link.mentor, BookInput{Name: in.Name, Email: in.Email, Timezone: in.Timezone, Language: in.Language})
		if err != nil {
			return err
		}
		if err := s.checkUpcomingLimit(ctx, tx, link.mentor, mentee); err != nil {
			return err
		}
		out, err = s.reserveSeries(ctx, tx, seriesRequest{mentor: link.mentor, mentee: mentee,
			rule: seriesRule{First: in.Start, Count: in.Count, IntervalWeeks: in.IntervalWeeks},
			note: in.Note, skip: in.SkipUnavailable, by: byMentee, asMentee: true})
		if err != nil {
			return err
		}
		if idem != nil {
			return tx.SaveIdempotencyKey(ctx, &store.IdempotencyKey{Scope: scope, Key: idem.Key,
				RequestHash: idem.RequestHash, BookingID: out.ID, CreatedAt: s.now().UTC()})
		}
		return nil
	})
	if err != nil {
		if idem != nil {
			// A concurrent request with the same key may have won.
			first, rerr := s.replaySeries(ctx, scope, idem)
			if first != nil || rerr != nil {
				return first, first != nil, rerr
			}
		}
		return nil, false, err
	}
	return out, false, nil
}

// seriesRequest is a series to reserve for a mentee whose mentor tx has
// locked.
type seriesRequest struct {
	mentor *store.Mentor
	mentee *store.Mentee
	rule   seriesRule
	note   string
	skip   bool
	opts   planOptions
	// by is recorded as the series' creator (a role, or "mentee"); asMentee
	// is true when the booker is the mentee (their view of the result).
	by       string
	asMentee bool
}

// reserveSeries plans and stores a series with its sessions and their
// follow-ups, in tx.
func (s *Service) reserveSeries(ctx context.Context, tx *store.Tx, r seriesRequest) (*Series, error) {
	occs, err := s.plan(ctx, tx.Q, r.mentor, r.rule, r.opts)
	if err != nil {
		return nil, err
	}
	if r.rule.Count == 1 && !occs[0].Available {
		return nil, apperr.Errorf(apperr.SlotUnavailable, "%s is not free (%s)", occs[0].Start.UTC().Format(time.RFC3339), occs[0].Reason)
	}
	var skipped []Skipped
	var free []Occurrence
	for _, o := range occs {
		if o.Available {
			free = append(free, o)
		} else {
			skipped = append(skipped, Skipped{Start: o.Start.UTC(), Reason: o.Reason})
		}
	}
	if len(skipped) > 0 && !r.skip {
		return nil, apperr.Errorf(apperr.SlotUnavailable, "%d of the %d sessions are not free (first: %s, %s); nothing was booked",
			len(skipped), len(occs), skipped[0].Start.Format(time.RFC3339), skipped[0].Reason)
	}
	if len(free) == 0 {
		return nil, apperr.Errorf(apperr.SlotUnavailable, "none of the %d sessions is free; nothing was booked", len(occs))
	}
	now := s.now().UTC()
	seriesID := uuid.Must(uuid.NewV7()).String()
	skippedJSON, err := json.Marshal(append([]Skipped{}, skipped...))
	if err != nil {
		return nil, fmt.Errorf("encode skipped occurrences: %w", err)
	}
	row := &store.BookingSeries{ID: seriesID, UID: seriesID + "@" + s.links.Host(), MentorID: r.mentor.ID, MenteeID: r.mentee.ID,
		FirstStartAt: occs[0].Start, Timezone: r.mentor.Timezone, Count: r.rule.Count, IntervalWeeks: r.rule.IntervalWeeks,
		SessionMinutes: r.mentor.SessionMinutes, Skipped: string(skippedJSON), CreatedBy: r.by, CreatedAt: now, UpdatedAt: now}
	// One video room for the whole series: it is the series' one event
	// in every calendar, with one link.
	provider := s.videoFor(r.mentor)
	rows := make([]store.Booking, len(free))
	meeting, err := provider.Create(ctx, video.MeetingRequest{SessionID: seriesID, Start: free[0].Start, End: free[0].End,
		MentorName: r.mentor.Name, MenteeName: r.mentee.Name})
	if err != nil {
		return nil, fmt.Errorf("create video meeting: %w", err)
	}
	for i, o := range free {
		id := uuid.Must(uuid.NewV7()).String()
		manage := secret.NewToken()
		at := o.Start.UTC()
		rows[i] = store.Booking{
			ID: id, UID: id + "@" + s.links.Host(), MentorID: r.mentor.ID, MenteeID: r.mentee.ID,
			StartAt: o.Start.UTC(), EndAt: o.End.UTC(), Status: store.StatusConfirmed, Note: strings.TrimSpace(r.note),
			VideoProvider: provider.Name(), VideoRoom: meeting.Room, VideoURL: meeting.URL,
			ManageTokenHash: secret.HashToken(manage), ManageTokenSealed: s.box.SealString(manage),
			SeriesID: seriesID, RecurrenceAt: &at, CreatedAt: now, UpdatedAt: now,
		}
	}
	if r.rule.Count == 1 {
		// One session booked for a mentee: no series.
		rows[0].SeriesID, rows[0].RecurrenceAt = "", nil
		row = &store.BookingSeries{}
		err = tx.InsertBooking(ctx, &rows[0])
	} else {
		err = tx.InsertSeries(ctx, row, rows)
	}
	if err != nil {
		if errors.Is(err, store.ErrOverlap) {
			return nil, apperr.Errorf(apperr.SlotUnavailable, "a session of the series was just taken; please preview again")
		}
		return nil, err
	}
	has, err := s.calendars.HasWriteTarget(ctx, tx, r.mentor.ID)
	if err != nil {
		return nil, err
	}
	var batch []river.InsertManyParams
	out := &Series{ID: row.ID, UID: row.UID, Skipped: skipped, Bookings: make([]Booking, 0, len(rows))}
	var series *outbox.Series
	if r.rule.Count > 1 {
		series = &outbox.Series{Row: row, Sessions: rows}
	}
	for i := range rows {
		// Each session gets its reminders; the first also the series'
		// invitations and its write-back.
		jobs, err := s.followUps(ctx, tx, change{booking: &rows[i], mentor: r.mentor, mentee: r.mentee, event: EventConfirmed,
			series: series, quiet: i > 0, bare: i > 0}, has)
		if err != nil {
			return nil, err
		}
		batch = append(batch, jobs...)
		v, err := s.view(&rows[i], r.asMentee)
		if err != nil {
			return nil, err
		}
		out.Bookings = append(out.Bookings, *v)
	}
	if err := s.jobs.InsertManyTx(ctx, tx, batch); err != nil {
		return nil, fmt.Errorf("enqueue follow-ups of series %s: %w", row.ID, err)
	}
	return out, nil
}

// replaySeries is the series an earlier request with this key made, or
// nil.
func (s *Service) replaySeries(ctx context.Context, scope string, idem *Idempotency) (*Series, error) {
	k, err := s.store.IdempotencyKey(ctx, scope, idem.Key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !secret.Equal(k.RequestHash, idem.RequestHash) {
		return nil, apperr.Field("Idempotency-Key", "was already used with a different request body")
	}
	return s.seriesView(ctx, s.store.Q, k.BookingID, true)
}

// seriesView reads a series and its sessions as a mentee or a mentor or
// staff sees them.
func (s *Service) seriesView(ctx context.Context, q store.Q, id string, mentee bool) (*Series, error) {
	row, err := q.Series(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("series %s: %w", id, err)
	}
	bs, err := q.SeriesBookings(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Series{ID: row.ID, UID: row.UID}
	if err := json.Unmarshal([]byte(row.Skipped), &out.Skipped); err != nil {
		return nil, fmt.Errorf("series %s skipped occurrences: %w", id, err)
	}
	for i := range bs {
		v, err := s.view(&bs[i], mentee)
		if err != nil {
			return nil, err
		}
		out.Bookings = append(out.Bookings, *v)
	}
	return out, nil
}

// seriesTxAttempts bounds how often a series' transaction is tried when
// SQLite's write lock stayed taken past its busy timeout: it wrote
// nothing, so it is run again.
const seriesTxAttempts = 3

// inWriteTx runs a series' transaction. On SQLite, which has one writer
// at a time anyway, series transactions queue on a mutex of the service
// first: SQLite's busy handler polls, and with dozens of bookers at once
// some lose every round until their timeout, while a Go mutex serves
// waiters in turn.
func (s *Service) inWriteTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	if s.store.Dialect() == store.SQLite {
		s.sqliteSeries.Lock()
		defer s.sqliteSeries.Unlock()
	}
	var err error
	for range seriesTxAttempts {
		if err = s.store.InTx(ctx, fn); !store.IsBusy(err) {
			return err
		}
	}
	return err
}
