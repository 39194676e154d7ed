package calsync

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
)

// Connection is a calendar connection as the API shows it (never with
// its credentials).
type Connection struct {
	ID          string
	Provider    string
	URL         string
	Username    string
	Status      string
	Error       string
	LastSync    *time.Time
	LastSuccess *time.Time
	Calendars   []Calendar
}

// Calendar is one calendar of a connection.
type Calendar struct {
	ID             string
	Name           string
	CheckConflicts bool
	WriteTarget    bool
	Writable       bool
	Status         string
	Error          string
	BusyIntervals  int
}

// Connections lists a mentor's connections with their calendars (staff,
// or that mentor).
func (s *Service) Connections(ctx context.Context, by access.Principal, mentorID string) ([]Connection, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		return nil, notFound(err, "mentor")
	}
	conns, err := s.store.MentorConnections(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	cals, err := s.store.CalendarStates(ctx, mentorID, "")
	if err != nil {
		return nil, err
	}
	out := make([]Connection, 0, len(conns))
	for i := range conns {
		out = append(out, viewOf(&conns[i], cals))
	}
	return out, nil
}

func (s *Service) connectionView(ctx context.Context, mentorID, id string) (*Connection, error) {
	c, err := s.store.MentorConnection(ctx, mentorID, id)
	if err != nil {
		return nil, notFound(err, "connection")
	}
	cals, err := s.store.CalendarStates(ctx, mentorID, id)
	if err != nil {
		return nil, err
	}
	v := viewOf(c, cals)
	return &v, nil
}

func viewOf(c *store.Connection, cals []store.CalendarState) Connection {
	v := Connection{
		ID: c.ID, Provider: c.Provider, URL: c.URL, Username: c.Username, Status: c.Status, Error: c.LastError,
		LastSync: c.LastAttemptAt, LastSuccess: c.LastSuccessAt, Calendars: []Calendar{},
	}
	for _, k := range cals {
		if k.ConnectionID != c.ID {
			continue
		}
		v.Calendars = append(v.Calendars, Calendar{
			ID: k.ID, Name: k.Name, CheckConflicts: k.CheckConflicts, WriteTarget: k.WriteTarget, Writable: k.Writable,
			Status: calendarStatus(c.Status, k.SyncError), Error: k.SyncError, BusyIntervals: k.BusyCount,
		})
	}
	return v
}

// Disconnect deletes a mentor's connection with its calendars, items and
// busy time, and for Google revokes the grant. Sessions written into its
// calendars stay there.
func (s *Service) Disconnect(ctx context.Context, by access.Principal, mentorID, connectionID string) error {
	if err := by.RequireMentor(mentorID); err != nil {
		return err
	}
	var refresh string
	if s.google != nil {
		conn, err := s.store.Connection(ctx, connectionID)
		if err == nil && conn.MentorID == mentorID && conn.Provider == ProviderGoogle {
			if tok, err := s.store.ConnectionToken(s.box, conn.ID).Load(ctx); err == nil && tok != nil {
				refresh = tok.RefreshToken
			}
		}
	}
	if err := notFound(s.store.DeleteConnection(ctx, mentorID, connectionID), "connection"); err != nil {
		return err
	}
	if refresh != "" {
		// The connection is gone either way; a failed revocation leaves
		// the mentor to remove our access in their Google account.
		if err := s.google.OAuth.Revoke(ctx, refresh); err != nil {
			s.Logger.Warn("google: token not revoked on disconnect", slog.String("connection", connectionID), slog.Any("error", err))
		}
	}
	return nil
}

// CalendarPatch changes a calendar's flags; nil leaves one as it is.
type CalendarPatch struct {
	CheckConflicts *bool
	WriteTarget    *bool
}

// UpdateCalendar applies a patch to one of the mentor's calendars. Making
// a calendar the write target takes it from the mentor's other calendar
// in the same transaction; a read-only calendar cannot be one.
func (s *Service) UpdateCalendar(ctx context.Context, by access.Principal, mentorID, calendarID string, p CalendarPatch) (*Calendar, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	var connID string
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockMentor(ctx, mentorID); err != nil {
			return err
		}
		cal, err := tx.MentorCalendar(ctx, mentorID, calendarID)
		if err != nil {
			return err
		}
		connID = cal.ConnectionID
		check, target := cal.CheckConflicts, cal.WriteTarget
		if p.CheckConflicts != nil {
			check = *p.CheckConflicts
		}
		if p.WriteTarget != nil {
			target = *p.WriteTarget
		}
		if target && !cal.WriteTarget {
			if !cal.Writable {
				return apperr.Field("write_target", "calendar %q is read-only and cannot receive sessions", cal.Name)
			}
			if err := tx.ClearWriteTarget(ctx, mentorID); err != nil {
				return err
			}
		}
		return tx.SetCalendarFlags(ctx, calendarID, check, target)
	})
	if err != nil {
		return nil, notFound(err, "calendar")
	}
	v, err := s.connectionView(ctx, mentorID, connID)
	if err != nil {
		return nil, err
	}
	for _, k := range v.Calendars {
		if k.ID == calendarID {
			return &k, nil
		}
	}
	return nil, apperr.Errorf(apperr.NotFound, "calendar not found")
}

// Busy sources.
const (
	SourceBooking = "booking"
)

// BusySpan is a busy interval and where it comes from: a provider name
// (caldav, google) or "booking".
type BusySpan struct {
	Start, End time.Time
	Source     string
}

// Busy returns what blocks the mentor's time in [from, to), from the
// database only: conflict-checked calendars and confirmed sessions, every
// interval overlapping the window, unclipped, by start.
func (s *Service) Busy(ctx context.Context, by access.Principal, mentorID string, from, to time.Time) ([]BusySpan, error) {
	if err := by.RequireMentor(mentorID); err != nil {
		return nil, err
	}
	if _, err := s.store.Mentor(ctx, mentorID); err != nil {
		return nil, notFound(err, "mentor")
	}
	cal, err := s.store.MentorBusy(ctx, mentorID, from, to)
	if err != nil {
		return nil, err
	}
	sessions, err := s.store.MentorSessions(ctx, mentorID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]BusySpan, 0, len(cal)+len(sessions))
	for _, b := range cal {
		out = append(out, BusySpan{Start: b.StartAt.UTC(), End: b.EndAt.UTC(), Source: b.Provider})
	}
	for _, b := range sessions {
		out = append(out, BusySpan{Start: b.StartAt.UTC(), End: b.EndAt.UTC(), Source: SourceBooking})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].End.Before(out[j].End)
	})
	return out, nil
}
