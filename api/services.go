package api

import (
	"context"
	"time"

	"github.com/rendezvous/rendezvous/internal/access"
	"github.com/rendezvous/rendezvous/internal/booking"
	"github.com/rendezvous/rendezvous/internal/calsync"
	"github.com/rendezvous/rendezvous/internal/console"
	"github.com/rendezvous/rendezvous/internal/mentoring"
	"github.com/rendezvous/rendezvous/internal/staff"
	"github.com/rendezvous/rendezvous/internal/statements"
	"github.com/rendezvous/rendezvous/internal/webhooks"
)

// The services as the handlers use them. Handlers depend on these
// interfaces, not on the services' types, so that a handler test can run
// against a fake. Every method that acts for someone takes the caller's
// access.Principal: the service decides.

// Mentoring manages mentors, mentees and caseloads.
type Mentoring interface {
	CreateMentor(ctx context.Context, by access.Principal, in mentoring.MentorInput) (*mentoring.CreatedMentor, error)
	Mentors(ctx context.Context, by access.Principal) ([]mentoring.Mentor, error)
	Mentor(ctx context.Context, by access.Principal, id string) (*mentoring.Mentor, error)
	UpdateMentor(ctx context.Context, by access.Principal, id string, in mentoring.MentorInput) (*mentoring.Mentor, error)
	SetAvailability(ctx context.Context, by access.Principal, id string, weekly []mentoring.WeeklyRange, overrides []mentoring.DateHours) (*mentoring.Mentor, error)
	RotateFeedToken(ctx context.Context, by access.Principal, id string) (string, error)
	RotateAPIToken(ctx context.Context, by access.Principal, id string) (string, error)
	RevokeAPIToken(ctx context.Context, by access.Principal, id string) error
	CreateMentee(ctx context.Context, by access.Principal, mentorID string, in mentoring.MenteeInput) (*mentoring.Mentee, error)
	Mentee(ctx context.Context, by access.Principal, id string) (*mentoring.Mentee, error)
	Caseload(ctx context.Context, by access.Principal, mentorID string) (*mentoring.Caseload, error)
	Caseloads(ctx context.Context, by access.Principal) ([]mentoring.Caseload, error)
	ImportMentees(ctx context.Context, by access.Principal, rows []mentoring.ImportRow, dryRun bool) (*mentoring.ImportResult, error)
	ReportWindow(ctx context.Context, by access.Principal, from, to time.Time, mentorID string) (time.Time, time.Time, error)
	Report(ctx context.Context, by access.Principal, from, to time.Time, mentorID string, emit func(mentoring.ReportSession) error, emitBatch func() error) error
}

// Booking serves links, slots and sessions.
type Booking interface {
	ResolveLink(ctx context.Context, token string) (*booking.Link, error)
	Slots(ctx context.Context, token string, from, to time.Time, tz string) (*booking.Slots, error)
	Book(ctx context.Context, token string, in booking.BookInput, idem *booking.Idempotency) (*booking.Booking, bool, error)
	PreviewSeries(ctx context.Context, token string, start time.Time, count, interval int, tz string) (*booking.SeriesPreview, error)
	MenteeHome(ctx context.Context, token string) (*booking.MenteeHome, error)
	BookSeries(ctx context.Context, token string, in booking.SeriesInput, idem *booking.Idempotency) (*booking.Series, bool, error)

	// The mentee's manage link.
	ByManageToken(ctx context.Context, token string) (*booking.Booking, error)
	Manage(ctx context.Context, token string) (*booking.Managed, error)
	ManageSlots(ctx context.Context, token string, from, to time.Time, tz string) (*booking.Slots, error)
	CancelByManageToken(ctx context.Context, token, reason string) (*booking.Booking, error)
	CancelByManageTokenScoped(ctx context.Context, token, reason, scope string) (*booking.Booking, error)
	RescheduleByManageToken(ctx context.Context, token string, start time.Time) (*booking.Booking, error)
	ICS(ctx context.Context, id, token string) ([]byte, error)

	// Mentors and staff.
	Get(ctx context.Context, by access.Principal, id string) (*booking.Booking, error)
	List(ctx context.Context, by access.Principal, mentorID string, from, to time.Time, status string) ([]booking.Booking, error)
	Detail(ctx context.Context, by access.Principal, id string) (*booking.SessionDetail, error)
	SlotsToMove(ctx context.Context, by access.Principal, id string, from, to time.Time) (*booking.Slots, error)
	Cancel(ctx context.Context, by access.Principal, id, reason string) (*booking.Booking, error)
	CancelScoped(ctx context.Context, by access.Principal, id, reason, scope string) (*booking.Booking, error)
	Reschedule(ctx context.Context, by access.Principal, id string, start time.Time) (*booking.Booking, error)
	SetOutcome(ctx context.Context, by access.Principal, id, outcome string) (*booking.Booking, error)
	FileReport(ctx context.Context, by access.Principal, id string, in booking.ReportInput) (*booking.Booking, error)
	Unreported(ctx context.Context, by access.Principal, mentorID string) ([]booking.Booking, error)
	BookForMentee(ctx context.Context, by access.Principal, menteeID string, in booking.ForMenteeInput) (*booking.Series, error)
	EndMentee(ctx context.Context, by access.Principal, id string) (*mentoring.Mentee, error)
	ReassignMentee(ctx context.Context, by access.Principal, id, toMentorID string, opts ...mentoring.MoveOptions) (*booking.Reassignment, error)
	PreviewReassign(ctx context.Context, by access.Principal, menteeID, toMentorID string) (*booking.ReassignPreview, error)

	// Feeds and video.
	MentorFeed(ctx context.Context, token string, cond booking.FeedConditions) (*booking.Feed, error)
	Join(ctx context.Context, room, key string) (string, error)
}

// Statements are the monthly statements of mentors.
type Statements interface {
	Get(ctx context.Context, by access.Principal, month, mentorID string) (*statements.Statement, error)
	CSV(ctx context.Context, by access.Principal, month, mentorID string) ([]byte, error)
	Close(ctx context.Context, by access.Principal, month string) (*statements.Statement, error)
}

// Calendars connects mentors' calendars, syncs busy time and writes
// sessions back.
type Calendars interface {
	Connect(ctx context.Context, by access.Principal, mentorID string, in calsync.ConnectInput) (*calsync.Connection, error)
	Connections(ctx context.Context, by access.Principal, mentorID string) ([]calsync.Connection, error)
	Disconnect(ctx context.Context, by access.Principal, mentorID, connectionID string) error
	UpdateCalendar(ctx context.Context, by access.Principal, mentorID, calendarID string, p calsync.CalendarPatch) (*calsync.Calendar, error)
	SyncMentor(ctx context.Context, by access.Principal, mentorID string) ([]calsync.CalendarSync, error)
	Busy(ctx context.Context, by access.Principal, mentorID string, from, to time.Time) ([]calsync.BusySpan, error)

	// Google Calendar, when the deployment has a Google client.
	GoogleEnabled() bool
	GoogleConsentOrigin() string
	StartGoogle(ctx context.Context, by access.Principal, mentorID string) (string, error)
	FinishGoogle(ctx context.Context, in calsync.GoogleCallback) (*calsync.Connection, error)
}

// Webhooks registers webhook endpoints and lists their deliveries.
type Webhooks interface {
	Register(ctx context.Context, by access.Principal, in webhooks.EndpointInput) (*webhooks.WithSecret, error)
	Endpoints(ctx context.Context, by access.Principal) ([]webhooks.Endpoint, error)
	Endpoint(ctx context.Context, by access.Principal, id string) (*webhooks.Endpoint, error)
	UpdateEndpoint(ctx context.Context, by access.Principal, id string, in webhooks.EndpointInput) (*webhooks.Endpoint, error)
	DeleteEndpoint(ctx context.Context, by access.Principal, id string) error
	RotateSecret(ctx context.Context, by access.Principal, id string) (*webhooks.WithSecret, error)
	Deliveries(ctx context.Context, by access.Principal, endpointID string, q webhooks.DeliveryQuery) ([]webhooks.Delivery, string, error)
}

// Signin mails sign-in links and keeps signed-in browsers' sessions.
type Signin interface {
	Request(ctx context.Context, email, lang string) error
	Redeem(ctx context.Context, token string) (mentorID string, err error)
	Session(ctx context.Context, mentorID string) (value string, expires time.Time, err error)
	SignOut(ctx context.Context, value string, everywhere bool) error

	// The staff console's sign-in.
	RequestStaff(ctx context.Context, email, lang string) error
	RedeemStaff(ctx context.Context, token string) (staffID string, err error)
	StaffSessionStart(ctx context.Context, staffID string) (value string, expires time.Time, err error)
	SignOutStaff(ctx context.Context, value string, everywhere bool) error
}

// Console reads the staff console's views (staff only).
type Console interface {
	Dashboard(ctx context.Context, by access.Principal) (*console.Dashboard, error)
	Mentors(ctx context.Context, by access.Principal, f console.MentorFilter, cursor string, limit int) (*console.MentorPage, error)
	Mentees(ctx context.Context, by access.Principal, f console.MenteeFilter, cursor string, limit int) (*console.MenteePage, error)
	MenteeSessions(ctx context.Context, by access.Principal, menteeID string) ([]console.MenteeSession, error)
}

// Staff manages the programme's staff members (admins only).
type Staff interface {
	Create(ctx context.Context, by access.Principal, in staff.Input) (*staff.Member, error)
	List(ctx context.Context, by access.Principal, cursor string, limit int) (*staff.Page, error)
	Delete(ctx context.Context, by access.Principal, id string) error
	Me(ctx context.Context, by access.Principal) (*staff.Member, error)
}
