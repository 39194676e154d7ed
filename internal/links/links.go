// Package links is every public address of the service, written once: the
// route table registers these patterns and the services, mails, feeds and
// pages build their URLs from the same patterns, so a path cannot drift
// between where it is served and where it is handed out.
package links

import (
	"net/url"
	"strings"
)

// Route patterns (echo syntax) of the public pages and addresses.
const (
	// Book is a booking link: a mentee's own, or a mentor's public one.
	Book = "/book/:link"
	// BookSeries is the mentee page's one-click series form.
	BookSeries = "/book/:link/series"
	// Manage is a mentee's page for one session (move, cancel).
	Manage       = "/manage/:token"
	ManageCancel = "/manage/:token/cancel"
	ManageMove   = "/manage/:token/move"
	ManageSlots  = "/manage/:token/slots"
	// Feed is a mentor's iCal feed; the parameter is "{token}.ics".
	Feed = "/feeds/:feed"
	// Join admits a participant to a video room (BigBlueButton).
	Join = "/join/:room"
	// GoogleCallback is where Google's consent returns.
	GoogleCallback = "/oauth/google/callback"

	// The mentor area.
	MentorHome       = "/mentor"
	MentorSignin     = "/mentor/signin"
	MentorSigninLink = "/mentor/signin/:token"
	MentorSignout    = "/mentor/signout"
	MentorSession    = "/mentor/sessions/:id"
	// MentorStatements is the mentor's monthly statement (?month=).
	MentorStatements = "/mentor/statements"

	// The staff console.
	StaffHome       = "/staff"
	StaffSignin     = "/staff/signin"
	StaffSigninLink = "/staff/signin/:token"
	StaffSignout    = "/staff/signout"
	StaffTeam       = "/staff/team"
	StaffMentors    = "/staff/mentors"
	StaffMentor     = "/staff/mentors/:id"
	StaffMentorNew  = "/staff/mentors/new"
	StaffMentees    = "/staff/mentees"
	StaffMentee     = "/staff/mentees/:id"
	StaffAssign     = "/staff/mentees/new"
	StaffImport     = "/staff/import"
	// StaffStatements is every mentor's monthly statement (?month=), and
	// StaffStatementClose closes a month.
	StaffStatements     = "/staff/statements"
	StaffStatementClose = "/staff/statements/:month/close"

	// The API routes that pages and links point at.
	API                 = "/api/v1"
	APIBookSlots        = "/api/v1/book/:link/slots"
	APIBookBookings     = "/api/v1/book/:link/bookings"
	APIBookSeries       = "/api/v1/book/:link/series"
	APIManageReschedule = "/api/v1/manage/:token/reschedule"
	APIBooking          = "/api/v1/bookings/:id" // also "{id}.ics?token=": one session's file
)

// Path fills a pattern's parameters in order with values, each escaped
// as one path segment: Path(Manage, token) is "/manage/{token}".
func Path(pattern string, values ...string) string {
	parts := strings.Split(pattern, "/")
	next := 0
	for i, p := range parts {
		if p == "" || p[0] != ':' {
			continue
		}
		if next >= len(values) {
			panic("links: too few values for " + pattern)
		}
		parts[i] = url.PathEscape(values[next])
		next++
	}
	if next != len(values) {
		panic("links: too many values for " + pattern)
	}
	return strings.Join(parts, "/")
}

// Links builds absolute URLs under the public base URL.
type Links struct {
	base string // without a trailing slash
}

// New makes the links of a deployment from RENDEZVOUS_BASE_URL.
func New(base *url.URL) Links {
	return Links{base: strings.TrimSuffix(base.String(), "/")}
}

// URL makes a path from Path absolute.
func (l Links) URL(path string) string { return l.base + path }

// Host is the base URL's host name (session UIDs end with it).
func (l Links) Host() string {
	u, err := url.Parse(l.base)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Book is the booking page of a link token.
func (l Links) Book(token string) string { return l.URL(Path(Book, token)) }

// Manage is a mentee's page for the session of a manage token.
func (l Links) Manage(token string) string { return l.URL(Path(Manage, token)) }

// ICS is one session's .ics file, opened with its manage token.
func (l Links) ICS(bookingID, manageToken string) string {
	return l.URL(Path(APIBooking, bookingID+".ics")) + "?token=" + url.QueryEscape(manageToken)
}

// Feed is a mentor's iCal feed.
func (l Links) Feed(token string) string { return l.URL(Path(Feed, token+".ics")) }

// JoinBase is the address video rooms are joined under: JoinBase + "/" +
// room is Path(Join, room).
func (l Links) JoinBase() string { return l.URL(strings.TrimSuffix(Join, "/:room")) }

// MentorHome is the mentor area.
func (l Links) MentorHome() string { return l.URL(MentorHome) }

// MentorSession is a session's page in the mentor area.
func (l Links) MentorSession(id string) string { return l.URL(Path(MentorSession, id)) }

// MentorSessionPrefix is MentorSession without the id, for joining many
// ids cheaply (the feed): MentorSessionPrefix() + id == MentorSession(id)
// for ids that need no escaping.
func (l Links) MentorSessionPrefix() string {
	return l.URL(strings.TrimSuffix(MentorSession, ":id"))
}

// MentorSignin is a mentor's mailed single-use sign-in link.
func (l Links) MentorSignin(token string) string { return l.URL(Path(MentorSigninLink, token)) }

// StaffHome is the staff console.
func (l Links) StaffHome() string { return l.URL(StaffHome) }

// StaffSignin is a staff member's mailed single-use sign-in link.
func (l Links) StaffSignin(token string) string { return l.URL(Path(StaffSigninLink, token)) }

// GoogleCallback is the OAuth redirect URI to register with Google.
func (l Links) GoogleCallback() string { return l.URL(GoogleCallback) }
