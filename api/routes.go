package api

import "github.com/rendezvous/rendezvous/internal/links"

// routes is the one route table of the service. Routes under /api/v1 that
// act for someone pass through authenticated, which establishes the caller
// (bearer token or signed-in browser); the services decide what that
// caller may do.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.HEAD("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())

	auth := s.authenticated
	v1 := e.Group(links.API)
	// The description of every route below (api/openapi.yaml).
	v1.GET("/openapi.json", s.getOpenAPI)

	v1.POST("/mentors", s.createMentor, auth)
	v1.GET("/mentors", s.listMentors, auth)
	v1.GET("/mentors/:id", s.getMentor, auth)
	v1.PATCH("/mentors/:id", s.patchMentor, auth)
	v1.PUT("/mentors/:id/availability", s.putAvailability, auth)
	v1.POST("/mentors/:id/feed-token", s.rotateFeedToken, auth)
	v1.POST("/mentors/:id/token", s.rotateAPIToken, auth)
	v1.DELETE("/mentors/:id/token", s.revokeAPIToken, auth)

	// Mentees and caseload.
	v1.POST("/mentees", s.createMentee, auth)
	v1.GET("/mentees", s.listMentees, auth)
	v1.POST("/mentees/import", s.importMentees, auth)
	v1.GET("/mentees/:id", s.getMentee, auth)
	v1.POST("/mentees/:id/end", s.endMentee, auth)
	v1.POST("/mentees/:id/reassign", s.reassignMentee, auth)
	v1.POST("/mentees/:id/bookings", s.bookForMentee, auth)
	v1.GET("/mentors/:id/caseload", s.getCaseload, auth)
	v1.GET("/caseloads", s.listCaseloads, auth)
	v1.GET("/reports/sessions.csv", s.sessionsReport, auth)
	v1.GET("/statements", s.getStatement, auth)
	v1.GET("/statements.csv", s.getStatementCSV, auth)
	v1.POST("/statements/:month/close", s.closeStatement, auth)

	// Calendar connections.
	v1.POST("/mentors/:id/connections", s.createConnection, auth)
	v1.GET("/mentors/:id/connections", s.listConnections, auth)
	v1.DELETE("/mentors/:id/connections/:cid", s.deleteConnection, auth)
	v1.PATCH("/mentors/:id/calendars/:calendar_id", s.patchCalendar, auth)
	v1.POST("/mentors/:id/sync", s.syncCalendars, auth)
	v1.GET("/mentors/:id/busy", s.getBusy, auth)
	v1.GET("/mentors/:id/connections/google/start", s.startGoogle, auth)
	// Google's consent returns here (state-guarded, rate limited).
	e.GET(links.GoogleCallback, s.googleCallback, s.limiter)

	// Booking: what a link does (token-guessable, rate limited).
	v1.GET("/book/:link", s.getLink, s.limiter)
	e.GET(links.APIBookSlots, s.getSlots, s.limiter)
	e.POST(links.APIBookBookings, s.createBooking, s.limiter)
	v1.GET("/book/:link/series", s.previewSeries, s.limiter)
	v1.POST("/book/:link/series", s.createSeries, s.limiter)
	v1.GET("/manage/:token", s.getManaged, s.limiter)
	v1.POST("/manage/:token/cancel", s.cancelSession(s.cancelAsMentee), s.limiter)
	e.POST(links.APIManageReschedule, s.rescheduleSession(s.rescheduleAsMentee), s.limiter)

	// The mentor's iCal feed (token-guessable, rate limited).
	e.GET(links.Feed, s.getMentorFeed, s.limiter)

	// Video: BigBlueButton rooms are created when someone joins.
	e.GET(links.Join, s.join, s.limiter)

	// Sessions (mentor or staff; the .ics variant with the manage token).
	e.GET(links.APIBooking, s.getBookingOrICS)
	v1.POST("/bookings/:id/cancel", s.cancelSession(s.cancelAsCaller), auth)
	v1.POST("/bookings/:id/reschedule", s.rescheduleSession(s.rescheduleAsCaller), auth)
	v1.POST("/bookings/:id/outcome", s.setOutcome, auth)
	v1.POST("/bookings/:id/report", s.fileReport, auth)
	v1.GET("/mentors/:id/bookings", s.listBookings, auth)

	// Staff members (admins).
	v1.POST("/staff", s.createStaff, auth)
	v1.GET("/staff", s.listStaff, auth)
	v1.DELETE("/staff/:id", s.deleteStaff, auth)
	// Webhooks (admins).
	v1.POST("/webhooks", s.createWebhook, auth)
	v1.GET("/webhooks", s.listWebhooks, auth)
	v1.GET("/webhooks/:id", s.getWebhook, auth)
	v1.PATCH("/webhooks/:id", s.patchWebhook, auth)
	v1.DELETE("/webhooks/:id", s.deleteWebhook, auth)
	v1.POST("/webhooks/:id/secret", s.rotateWebhookSecret, auth)
	v1.GET("/webhooks/:id/deliveries", s.listWebhookDeliveries, auth)

	// Feed and web pages.
	s.pageRoutes()
}
