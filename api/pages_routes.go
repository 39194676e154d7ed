package api

// pageRoutes adds the HTML pages and their assets. Each page route carries
// the page middleware itself: an echo Group with middleware would also
// catch unknown API paths and render them as HTML.
func (s *Server) pageRoutes() {
	e := s.echo
	e.GET("/static/*", s.static())

	// What a mentee's link opens (token-guessable, rate limited).
	open := s.pageMiddleware(true)
	e.GET("/book/:link", s.bookPage, open...)
	e.GET("/manage/:token", s.managePage, open...)
	e.POST("/manage/:token/cancel", s.cancelFromPage, open...)
	e.GET("/manage/:token/slots", s.manageSlots, s.limiter)

	// Mentor sign-in (rate limited: it mails, and its tokens are guessable).
	e.GET("/mentor/signin", s.signinForm, open...)
	e.POST("/mentor/signin", s.signinRequest, open...)
	e.GET("/mentor/signin/:token", s.signinConfirm, open...)
	e.POST("/mentor/signin/:token", s.signinRedeem, open...)

	// The mentor area (session cookie).
	mentor := append(s.pageMiddleware(false), s.requireMentorPage)
	e.GET("/mentor", s.mentorHome, mentor...)
	e.POST("/mentor/signout", s.signout, mentor...)
	e.POST("/mentor/availability", s.mentorAction("hours", s.saveHours), mentor...)
	e.POST("/mentor/feed-token", s.mentorAction("rotated", s.rotateFeed), mentor...)
	e.POST("/mentor/connections", s.mentorAction("connected", s.connectCalDAV), mentor...)
	e.POST("/mentor/connections/:cid/delete", s.mentorAction("disconnected", s.disconnectCalendar), mentor...)
	e.POST("/mentor/calendars/:calendar_id", s.mentorAction("calendar", s.saveCalendar), mentor...)
	e.POST("/mentor/sync", s.mentorAction("synced", s.syncNow), mentor...)
	e.POST("/mentor/google", s.connectGoogle, mentor...)
	e.GET("/mentor/sessions/:id", s.mentorSessionPage, mentor...)
	e.POST("/mentor/sessions/:id/move", s.mentorSessionAction("moved_by_mentor", s.moveAsMentor), mentor...)
	e.POST("/mentor/sessions/:id/cancel", s.mentorSessionAction("cancelled_by_mentor", s.cancelAsMentor), mentor...)
	e.POST("/mentor/sessions/:id/outcome", s.mentorSessionAction("outcome", s.recordOutcome), mentor...)
}
