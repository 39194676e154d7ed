package booking

import (
	"context"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/outbox"
	"github.com/rendezvous/rendezvous/internal/store"
)

// SessionDetail is one session as its mentor's page shows it.
type SessionDetail struct {
	Booking
	MenteeName, MenteeEmail string
	// MentorTimezone is the zone the mentor's page writes times in.
	MentorTimezone string
	// JoinURL is the mentor's own way into the video call (the moderator
	// link for BigBlueButton).
	JoinURL string
	// ReportLocked: the session's statement month is closed.
	ReportLocked bool
	// History is the mentee's earlier reports, latest first.
	History []HistoryEntry
}

// Detail reads a session with its mentee for the mentor's page (staff, or
// its mentor); another mentor's session is not found.
func (s *Service) Detail(ctx context.Context, by access.Principal, id string) (*SessionDetail, error) {
	b, err := s.visibleBooking(ctx, by, id)
	if err != nil {
		return nil, err
	}
	mentee, err := s.store.Mentee(ctx, b.MenteeID)
	if err != nil {
		return nil, err
	}
	mentor, err := s.store.Mentor(ctx, b.MentorID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(b, false)
	if err != nil {
		return nil, err
	}
	locked, err := s.store.MonthClosed(ctx, StatementMonth(b.StartAt, mentor.Timezone))
	if err != nil {
		return nil, err
	}
	history, err := s.reportHistory(ctx, b)
	if err != nil {
		return nil, err
	}
	if locked {
		v.CanRecordOutcome = false
	}
	return &SessionDetail{Booking: *v, MenteeName: mentee.Name, MenteeEmail: mentee.Email,
		MentorTimezone: mentor.Timezone, JoinURL: s.outbox.VideoURL(b, true), ReportLocked: locked, History: history}, nil
}

// Managed is a session as its mentee's manage page shows it.
type Managed struct {
	Booking
	MentorName     string
	MentorTimezone string
	HorizonDays    int
	// RebookURL is where the mentee books again once the session is
	// cancelled (their link, else the mentor's public one; "" if none).
	RebookURL string
}

// Manage reads the session of a manage token for its mentee's page.
func (s *Service) Manage(ctx context.Context, token string) (*Managed, error) {
	b, err := s.bookingByManageToken(ctx, token)
	if err != nil {
		return nil, err
	}
	mentor, err := s.store.Mentor(ctx, b.MentorID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(b, true)
	if err != nil {
		return nil, err
	}
	m := &Managed{Booking: *v, MentorName: mentor.Name, MentorTimezone: mentor.Timezone, HorizonDays: mentor.HorizonDays}
	if b.Status != store.StatusConfirmed {
		mentee, err := s.store.Mentee(ctx, b.MenteeID)
		if err != nil {
			return nil, err
		}
		if sealed := outbox.RebookToken(mentor, mentee); sealed != "" {
			if token, err := s.box.OpenString(sealed); err == nil {
				m.RebookURL = s.links.Book(token)
			}
		}
	}
	return m, nil
}
