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
}
