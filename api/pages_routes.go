package api

import "github.com/rendezvous/rendezvous/internal/links"

// pageRoutes adds the HTML pages and their assets. Each page route carries
// the page middleware itself: an echo Group with middleware would also
// catch unknown API paths and render them as HTML.
func (s *Server) pageRoutes() {
	e := s.echo
	e.GET("/static/zones.json", s.zoneList)
	e.GET("/static/*", s.static())

	// What a mentee's link opens (token-guessable, rate limited).
	open := s.pageMiddleware(true)
	e.GET(links.Book, s.bookPage, open...)
	e.POST(links.Book, s.bookFromPage, open...)
	e.POST(links.BookSeries, s.bookSeriesFromPage, open...)
	e.GET(links.Manage, s.managePage, open...)
	e.POST(links.ManageCancel, s.cancelFromPage, open...)
	e.POST(links.ManageMove, s.moveFromPage, open...)
	e.GET(links.ManageSlots, s.manageSlots, s.limiter)

	// Mentor sign-in (rate limited: it mails, and its tokens are guessable).
	e.GET(links.MentorSignin, s.signinForm, open...)
	e.POST(links.MentorSignin, s.signinRequest, open...)
	e.GET(links.MentorSigninLink, s.signinConfirm, open...)
	e.POST(links.MentorSigninLink, s.signinRedeem, open...)

	// Staff sign-in, as the mentors'.
	e.GET(links.StaffSignin, s.staffSigninForm, open...)
	e.POST(links.StaffSignin, s.staffSigninRequest, open...)
	e.GET(links.StaffSigninLink, s.staffSigninConfirm, open...)
	e.POST(links.StaffSigninLink, s.staffSigninRedeem, open...)

	// The staff console (its own session cookie; mentors refused).
	console := append(s.pageMiddleware(false), s.requireStaffPage)
	e.GET(links.StaffHome, s.staffHome, console...)
	e.POST(links.StaffSignout, s.staffSignout, console...)
	e.GET(links.StaffTeam, s.teamPageView, console...)
	e.POST(links.StaffTeam, s.addStaffFromPage, console...)
	e.POST(links.StaffTeam+"/:id/delete", s.removeStaffFromPage, console...)
	e.GET(links.StaffMentors, s.staffMentors, console...)
	e.GET(links.StaffMentorNew, s.staffNewMentor, console...)
	e.POST(links.StaffMentorNew, s.createMentorFromPage, console...)
	e.GET(links.StaffMentor, s.staffMentor, console...)
	e.POST(links.StaffMentor, s.editMentorFromPage, console...)
	e.GET(links.StaffMentees, s.staffMentees, console...)
	e.GET(links.StaffAssign, s.staffAssign, console...)
	e.POST(links.StaffAssign, s.assignFromPage, console...)
	e.GET(links.StaffMentee, s.staffMentee, console...)
	e.POST(links.StaffMentee+"/reassign", s.reassignFromPage, console...)
	e.POST(links.StaffMentee+"/end", s.endFromPage, console...)
	e.GET(links.StaffImport, s.staffImportForm, console...)
	e.POST(links.StaffImport, s.staffImport, console...)
	e.GET(links.StaffStatements, s.staffStatements, console...)
	e.POST(links.StaffStatementClose, s.closeStatementFromPage, console...)

	// The mentor area (session cookie).
	mentor := append(s.pageMiddleware(false), s.requireMentorPage)
	e.GET(links.MentorHome, s.mentorHome, mentor...)
	e.POST(links.MentorSignout, s.signout, mentor...)
	e.POST("/mentor/availability", s.mentorAction("hours", s.saveHours), mentor...)
	e.POST("/mentor/settings", s.mentorAction("settings", s.saveSettings), mentor...)
	e.POST("/mentor/feed-token", s.mentorAction("rotated", s.rotateFeed), mentor...)
	e.POST("/mentor/connections", s.mentorAction("connected", s.connectCalDAV), mentor...)
	e.POST("/mentor/connections/:cid/delete", s.mentorAction("disconnected", s.disconnectCalendar), mentor...)
	e.POST("/mentor/calendars/:calendar_id", s.mentorAction("calendar", s.saveCalendar), mentor...)
	e.POST("/mentor/sync", s.mentorAction("synced", s.syncNow), mentor...)
	e.POST("/mentor/book", s.mentorAction("booked_for_mentee", s.bookForMenteeFromPage), mentor...)
	e.POST("/mentor/google", s.connectGoogle, mentor...)
	e.GET(links.MentorSession, s.mentorSessionPage, mentor...)
	e.GET(links.MentorStatements, s.statementPage, mentor...)
	e.POST(links.MentorSession+"/move", s.mentorSessionAction("moved_by_mentor", s.moveAsMentor), mentor...)
	e.POST(links.MentorSession+"/cancel", s.mentorSessionAction("cancelled_by_mentor", s.cancelAsMentor), mentor...)
	e.POST(links.MentorSession+"/outcome", s.mentorSessionAction("outcome", s.recordOutcome), mentor...)
	e.POST(links.MentorSession+"/report", s.mentorSessionAction("report", s.fileReportFromPage), mentor...)
}
