package mentoring

import (
	"context"
	"errors"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
)

// reportBatch is how many sessions the report reads per query: memory
// stays flat however long the period.
const reportBatch = 1000

// ReportSession is one row of the sessions report.
type ReportSession struct {
	ID, MentorID, MentorName, MenteeID, MenteeName string
	Start, End                                     time.Time
	Minutes                                        int
	Status                                         string
	Outcome                                        string // "" when none
	VideoProvider                                  string
	// The parties' zones, and why and by whom a cancelled session was.
	MentorTimezone, MenteeTimezone string
	CancelReason, CancelledBy      string
}

// ReportWindow checks a report period; zero times default to the current
// calendar month (UTC). mentorID, when given, must exist. Reports are
// for staff.
func (s *Service) ReportWindow(ctx context.Context, by access.Principal, from, to time.Time, mentorID string) (time.Time, time.Time, error) {
	if err := by.RequireStaff("the sessions report"); err != nil {
		return from, to, err
	}
	now := s.now().UTC()
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if from.IsZero() {
		from = monthStart
	}
	if to.IsZero() {
		to = monthStart.AddDate(0, 1, 0)
	}
	if err := validate.Window(from, to); err != nil {
		return from, to, err
	}
	if mentorID != "" {
		_, err := s.store.Mentor(ctx, mentorID)
		if errors.Is(err, store.ErrNotFound) {
			return from, to, apperr.Errorf(apperr.NotFound, "no mentor %s", mentorID)
		}
		if err != nil {
			return from, to, err
		}
	}
	return from, to, nil
}

// Report streams the sessions starting in [from, to), by start, to emit;
// call ReportWindow first. emitBatch runs after each batch (to flush).
func (s *Service) Report(ctx context.Context, by access.Principal, from, to time.Time, mentorID string, emit func(ReportSession) error, emitBatch func() error) error {
	if err := by.RequireStaff("the sessions report"); err != nil {
		return err
	}
	page := store.ReportPage{From: from, To: to, MentorID: mentorID, Limit: reportBatch}
	for {
		rows, err := s.store.ReportSessions(ctx, page)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out := ReportSession{
				ID: r.SessionID, MentorID: r.MentorID, MentorName: r.MentorName, MenteeID: r.MenteeID,
				MenteeName: r.MenteeName, Start: r.Start.UTC(), End: r.End.UTC(),
				Minutes: int(r.End.Sub(r.Start).Round(time.Minute) / time.Minute), Status: r.Status,
				VideoProvider: r.VideoProvider, MentorTimezone: r.MentorTimezone, MenteeTimezone: r.MenteeTimezone,
				CancelReason: r.CancelReason, CancelledBy: r.CancelledBy,
			}
			if r.Outcome != nil {
				out.Outcome = *r.Outcome
			}
			if err := emit(out); err != nil {
				return err
			}
		}
		if err := emitBatch(); err != nil {
			return err
		}
		if len(rows) < reportBatch {
			return nil
		}
		last := rows[len(rows)-1]
		page.AfterStart, page.AfterID = last.Start, last.SessionID
	}
}
