package booking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/jobs"
	"github.com/rendezvous/rendezvous/internal/store"
	"github.com/rendezvous/rendezvous/internal/store/storetest"
)

// summaryMails are the summary mails enqueued so far.
func (f *fixture) summaryMails() []jobs.MailArgs {
	f.jobs.mu.Lock()
	defer f.jobs.mu.Unlock()
	var out []jobs.MailArgs
	for _, a := range f.jobs.args {
		if m, ok := a.(jobs.MailArgs); ok && m.Event == "summary" {
			out = append(out, m)
		}
	}
	return out
}

// TestFileReport: the report's rules and what each refusal leaves (nothing
// stored), the summary mailed once per new text, the outcome-only route
// keeping notes and summary, the notes hidden from the mentee, the
// mentee's history on the next session, and a closed month's lock.
func TestFileReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.Database) {
		ctx := context.Background()
		f := newFixture(t, db)
		m := f.mentor("Grace", nil)
		other := f.mentor("Ada", nil)
		_, link := f.mentee(m.ID, "Zoe")
		start := monday.Add(2 * time.Hour) // 11:00–11:30 UTC
		b, manageToken := f.bookAt(link, start)
		me := access.Mentor(m.ID)
		unchanged := func(what string) {
			t.Helper()
			got, err := f.book.Get(ctx, me, b.ID)
			if err != nil || got.Outcome != nil || got.Report != nil {
				t.Fatalf("%s stored something: %+v %v", what, got, err)
			}
		}

		_, err := f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "completed"})
		wantCode(t, "a report before the start", err, apperr.Conflict)
		unchanged("a report before the start")

		f.now = start.Add(5 * time.Minute)
		_, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "no_show"})
		wantCode(t, "no_show before a third of the session", err, apperr.Invalid)
		_, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "completed", Notes: strings.Repeat("é", 10001)})
		wantCode(t, "notes over 10,000 characters", err, apperr.Invalid)
		_, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "completed", Summary: strings.Repeat("x", 10001)})
		wantCode(t, "a summary over 10,000 characters", err, apperr.Invalid)
		_, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "finished"})
		wantCode(t, "an unknown outcome", err, apperr.Invalid)
		_, err = f.book.FileReport(ctx, access.Mentor(other.ID), b.ID, booking.ReportInput{Outcome: "completed", Notes: "hijack"})
		wantCode(t, "another mentor's report", err, apperr.NotFound)
		unchanged("the refused reports")

		f.now = start.Add(11 * time.Minute)
		long := strings.Repeat("é", 10000)
		got, err := f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "no_show", Notes: long})
		if err != nil || got.Report == nil || got.Report.Outcome != "no_show" || got.Report.Notes != long ||
			got.Report.FiledBy != "mentor" || !got.Report.FiledAt.Equal(f.now) {
			t.Fatalf("no_show after a third: %+v %v", got, err)
		}
		if n := len(f.summaryMails()); n != 0 {
			t.Fatalf("%d summary mails without a summary", n)
		}

		f.now = start.Add(time.Hour)
		const summary = "We reviewed your CV.\nNext: apply to two jobs."
		got, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "completed", Notes: "shy", Summary: summary})
		if err != nil || *got.Outcome != "completed" || got.Report.Summary != summary || got.Report.Notes != "shy" {
			t.Fatalf("corrected report: %+v %v", got, err)
		}
		mails := f.summaryMails()
		if len(mails) != 1 || mails[0].Summary != summary || mails[0].ToMentor || mails[0].RebookTokenSealed == "" ||
			mails[0].Session.Attendee.Email != "zoe@example.org" {
			t.Fatalf("summary mails: %+v", mails)
		}
		if _, err := f.book.FileReport(ctx, access.Staff("s1", access.RoleCoordinator), b.ID,
			booking.ReportInput{Outcome: "completed", Notes: "shy, but prepared", Summary: summary}); err != nil {
			t.Fatalf("a coordinator correcting the notes: %v", err)
		}
		if n := len(f.summaryMails()); n != 1 {
			t.Fatalf("the same summary mailed again: %d mails", n)
		}
		got, err = f.book.SetOutcome(ctx, me, b.ID, "mentor_no_show")
		if err != nil || got.Report.Outcome != "mentor_no_show" || got.Report.Notes != "shy, but prepared" || got.Report.Summary != summary {
			t.Fatalf("the outcome-only route: %+v %v", got, err)
		}
		if managed, err := f.book.ByManageToken(ctx, manageToken); err != nil || managed.Report != nil {
			t.Fatalf("the mentee sees the report (notes are private): %+v %v", managed, err)
		}

		// The next session shows this one's report.
		next, _ := f.bookAt(link, start.Add(7*24*time.Hour))
		detail, err := f.book.Detail(ctx, me, next.ID)
		if err != nil || len(detail.History) != 1 || detail.History[0].ID != b.ID || detail.History[0].Report.Summary != summary ||
			detail.History[0].Report.Notes != "shy, but prepared" || detail.ReportLocked {
			t.Fatalf("history on the next session: %+v %v", detail, err)
		}

		// A cancelled session takes late_cancel only.
		f.now = next.Start.Add(-48 * time.Hour)
		if _, err := f.book.Cancel(ctx, me, next.ID, "sick"); err != nil {
			t.Fatal(err)
		}
		_, err = f.book.FileReport(ctx, me, next.ID, booking.ReportInput{Outcome: "completed"})
		wantCode(t, "completed on a cancelled session", err, apperr.Conflict)
		if got, err := f.book.FileReport(ctx, me, next.ID, booking.ReportInput{Outcome: "late_cancel"}); err != nil || *got.Outcome != "late_cancel" {
			t.Fatalf("late_cancel on a cancelled session: %+v %v", got, err)
		}

		// Closing November (the mentor's zone is UTC) locks the report.
		if err := f.store.CloseMonth(ctx, &store.StatementMonth{Month: "2026-11", ClosedAt: f.now, ClosedBy: "admin", StatementJSON: "{}", StatementCSV: []byte{}}); err != nil {
			t.Fatal(err)
		}
		_, err = f.book.FileReport(ctx, me, b.ID, booking.ReportInput{Outcome: "completed", Notes: "late edit"})
		wantCode(t, "a report of a closed month", err, apperr.PeriodClosed)
		_, err = f.book.SetOutcome(ctx, me, b.ID, "completed")
		wantCode(t, "an outcome of a closed month", err, apperr.PeriodClosed)
		if got, err := f.book.Detail(ctx, me, b.ID); err != nil || got.Report.Notes != "shy, but prepared" || !got.ReportLocked || got.CanRecordOutcome {
			t.Fatalf("the locked report: %+v %v", got, err)
		}
	})
}
