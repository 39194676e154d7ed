package booking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/validate"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// MaxReportText is the longest a report's notes or summary may be, in
// characters.
const MaxReportText = 10000

// FiledByRendezvous is who filed a report recorded by itself (a mentee's
// late cancellation).
const FiledByRendezvous = "rendezvous"

// ReportInput is a report as a mentor or staff files it. Keep* leave the
// stored notes or summary as they are (the outcome-only route).
type ReportInput struct {
	Outcome, Notes, Summary string
	KeepText                bool
}

// FileReport files or corrects the report of a session (staff, or its
// mentor): its outcome, private notes, and a summary mailed to the mentee
// when it is new or changed. A report is refused before the session
// starts, no_show before a third of it has passed, a cancelled session
// takes only late_cancel, and a closed month's reports are locked.
func (s *Service) FileReport(ctx context.Context, by access.Principal, id string, in ReportInput) (*Booking, error) {
	if !slices.Contains(OutcomeNames(), in.Outcome) {
		return nil, apperr.Field("outcome", "must be one of completed, no_show, mentor_no_show, late_cancel")
	}
	if !in.KeepText {
		if err := validate.Text("notes", in.Notes, MaxReportText, false); err != nil {
			return nil, err
		}
		if err := validate.Text("summary", in.Summary, MaxReportText, false); err != nil {
			return nil, err
		}
	}
	var out *Booking
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		b, err := asPrincipal(by, id).lock(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := checkReportable(b, now, in.Outcome); err != nil {
			return err
		}
		if in.Outcome == OutcomeNoShow {
			if third := b.StartAt.Add(b.EndAt.Sub(b.StartAt) / 3); now.Before(third) {
				return apperr.Field("outcome", "no_show can be recorded once a third of the session has passed (from %s UTC)",
					third.UTC().Format("2006-01-02 15:04"))
			}
		}
		mentor, mentee, err := outbox.Parties(ctx, tx.Q, b)
		if err != nil {
			return err
		}
		if err := s.checkOpenMonth(ctx, tx, b, mentor); err != nil {
			return err
		}
		oldSummary := b.ReportSummary
		if !in.KeepText {
			b.ReportNotes, b.ReportSummary = in.Notes, in.Summary
		}
		outcome := in.Outcome
		b.Outcome, b.ReportedAt, b.ReportedBy, b.UpdatedAt = &outcome, &now, by.Name(), now
		if err := tx.UpdateBooking(ctx, b); err != nil {
			return fmt.Errorf("file report: %w", err)
		}
		if err := s.emit(ctx, tx, webhooks.Booking(webhooks.BookingReported, b, mentor, mentee, nil)); err != nil {
			return err
		}
		if b.ReportSummary != "" && b.ReportSummary != oldSummary {
			mail, err := s.outbox.SummaryMail(b, mentor, mentee)
			if err != nil {
				return err
			}
			if err := s.jobs.InsertManyTx(ctx, tx, mail); err != nil {
				return fmt.Errorf("enqueue summary mail of booking %s: %w", b.ID, err)
			}
		}
		out, err = s.view(b, false)
		return err
	})
	return out, err
}

// SetOutcome records how a session went (the outcome-only route): a
// report with that outcome, keeping any notes and summary already filed.
func (s *Service) SetOutcome(ctx context.Context, by access.Principal, id, outcome string) (*Booking, error) {
	return s.FileReport(ctx, by, id, ReportInput{Outcome: outcome, KeepText: true})
}

// StatementMonth is the month ("2026-11") whose statement counts a
// session: the month of its start in its mentor's zone.
func StatementMonth(start time.Time, mentorZone string) string {
	loc, err := time.LoadLocation(mentorZone)
	if err != nil {
		loc = time.UTC
	}
	return start.In(loc).Format("2006-01")
}

// checkOpenMonth refuses a change to a report of a closed month.
func (s *Service) checkOpenMonth(ctx context.Context, tx *store.Tx, b *store.Booking, mentor *store.Mentor) error {
	month := StatementMonth(b.StartAt, mentor.Timezone)
	// Held until the report commits: the month cannot close in between.
	if err := tx.LockMonth(ctx, month, false); err != nil {
		return err
	}
	closed, err := tx.MonthClosed(ctx, month)
	if err != nil {
		return err
	}
	if closed {
		return apperr.Errorf(apperr.PeriodClosed, "the statement of %s is closed; its reports can no longer change", month)
	}
	return nil
}

// ReportHistoryLimit is how many earlier reports a session page shows.
const ReportHistoryLimit = 20

// HistoryEntry is an earlier reported session of a mentee.
type HistoryEntry struct {
	ID         string
	Start, End time.Time
	Status     string
	Report     Report
}

// reportHistory lists the reports of the mentee's sessions before b,
// latest first, so the mentor prepares the next session from the last
// ones (callers have checked that b is visible).
func (s *Service) reportHistory(ctx context.Context, b *store.Booking) ([]HistoryEntry, error) {
	bs, err := s.store.ReportHistory(ctx, b.MenteeID, b.StartAt, ReportHistoryLimit)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(bs))
	for i := range bs {
		r := reportOf(&bs[i], false)
		if r == nil {
			continue
		}
		out = append(out, HistoryEntry{ID: bs[i].ID, Start: bs[i].StartAt.UTC(), End: bs[i].EndAt.UTC(), Status: bs[i].Status, Report: *r})
	}
	return out, nil
}
