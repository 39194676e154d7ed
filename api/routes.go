package api

// routes is the one route table of the service.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.HEAD("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())

	v1 := e.Group("/api/v1")
	v1.POST("/mentors", s.createMentor, s.requireAdmin)
	v1.GET("/mentors", s.listMentors, s.requireAdmin)
	v1.GET("/mentors/:id", s.getMentor, s.requireAuth)
	v1.PATCH("/mentors/:id", s.patchMentor, s.requireAuth)
	v1.PUT("/mentors/:id/availability", s.putAvailability, s.requireAuth)
	v1.POST("/mentors/:id/feed-token", s.rotateFeedToken, s.requireAuth)

	// Mentees and caseload.
	v1.POST("/mentees", s.createMentee, s.requireAuth)
	v1.GET("/mentees/:id", s.getMentee, s.requireAuth)
	v1.POST("/mentees/:id/end", s.endMentee, s.requireAuth)
	v1.POST("/mentees/:id/reassign", s.reassignMentee, s.requireAdmin)
	v1.GET("/mentors/:id/caseload", s.getCaseload, s.requireAuth)
	v1.GET("/caseloads", s.listCaseloads, s.requireAdmin)
	v1.GET("/reports/sessions.csv", s.sessionsReport, s.requireAdmin)

	// Calendar connections.
	v1.POST("/mentors/:id/connections", s.createConnection, s.requireAuth)
	v1.GET("/mentors/:id/connections", s.listConnections, s.requireAuth)
	v1.DELETE("/mentors/:id/connections/:cid", s.deleteConnection, s.requireAuth)
	v1.PATCH("/mentors/:id/calendars/:calendar_id", s.patchCalendar, s.requireAuth)
	v1.POST("/mentors/:id/sync", s.syncCalendars, s.requireAuth)
	v1.GET("/mentors/:id/busy", s.getBusy, s.requireAuth)
	v1.GET("/mentors/:id/connections/google/start", s.startGoogle, s.requireAuth)
	// Google's consent returns here (state-guarded, rate limited).
	e.GET("/oauth/google/callback", s.googleCallback, s.limiter)

	// Booking: what a link does (token-guessable, rate limited).
	v1.GET("/book/:link", s.getLink, s.limiter)
	v1.GET("/book/:link/slots", s.getSlots, s.limiter)
	v1.POST("/book/:link/bookings", s.createBooking, s.limiter)
	v1.GET("/manage/:token", s.getManaged, s.limiter)
	v1.POST("/manage/:token/cancel", s.cancelSession(s.byManageToken), s.limiter)
	v1.POST("/manage/:token/reschedule", s.rescheduleSession(s.byManageToken), s.limiter)

	// The mentor's iCal feed (token-guessable, rate limited).
	e.GET("/feeds/:feed", s.getMentorFeed, s.limiter)

	// Video: BigBlueButton rooms are created when someone joins.
	e.GET("/join/:room", s.join, s.limiter)

	// Sessions (mentor or admin).
	v1.GET("/bookings/:id", s.getBookingOrICS)
	v1.POST("/bookings/:id/cancel", s.cancelSession(byPathID), s.requireAuth)
	v1.POST("/bookings/:id/reschedule", s.rescheduleSession(byPathID), s.requireAuth)
	v1.POST("/bookings/:id/outcome", s.setOutcome, s.requireAuth)
	v1.GET("/mentors/:id/bookings", s.listBookings, s.requireAuth)

	// Feed and web pages.
	s.pageRoutes()
}
