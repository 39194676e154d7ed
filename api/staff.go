package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/staff"
)

// staffRequest is the body of POST /staff.
type staffRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// staffResponse is a staff member in the API.
type staffResponse struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

func newStaffResponse(m *staff.Member) staffResponse {
	return staffResponse{ID: m.ID, Name: m.Name, Email: m.Email, Role: string(m.Role)}
}

func (s *Server) createStaff(c echo.Context) error {
	var req staffRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.Staff.Create(c.Request().Context(), principal(c), staff.Input{Name: req.Name, Email: req.Email, Role: req.Role})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newStaffResponse(m))
}

func (s *Server) listStaff(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	page, err := s.Staff.List(c.Request().Context(), principal(c), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Staff      []staffResponse `json:"staff"`
		NextCursor *string         `json:"next_cursor"`
	}{Staff: make([]staffResponse, 0, len(page.Members))}
	for i := range page.Members {
		out.Staff = append(out.Staff, newStaffResponse(&page.Members[i]))
	}
	if page.Next != "" {
		out.NextCursor = &page.Next
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) deleteStaff(c echo.Context) error {
	if err := s.Staff.Delete(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// queryLimit reads ?limit= (0 when absent: the service's default).
func queryLimit(c echo.Context) (int, error) {
	v := c.QueryParam("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Field("limit", "limit must be a whole number")
	}
	return n, nil
}
