package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/links"
	"github.com/rendezvous/rendezvous/internal/staff"
)

// The staff console: reached through a mailed single-use link like the
// mentor area, kept by its own HttpOnly cookie (a random value stored
// hashed on the server). Mentors are refused everywhere under /staff.

const staffCookie = "rdv_staff"

func (s *Server) staffSigninForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.staff_signin", signinPage{Staff: true}))
}

// staffSigninRequest mails a link and answers the same whether or not the
// address is a staff member's.
func (s *Server) staffSigninRequest(c echo.Context) error {
	email := c.FormValue("email")
	if err := s.Signin.RequestStaff(c.Request().Context(), email, pageLang(c)); err != nil {
		if msg, status, ok := formError(c, err); ok {
			setRetryAfter(c, err)
			p := s.newPage(c, "title.staff_signin", signinPage{Staff: true, Email: email})
			p.Error = msg
			return s.render(c, status, "signin", p)
		}
		return err
	}
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.staff_signin", signinPage{Staff: true, Sent: true}))
}

// staffSigninConfirm shows a button rather than signing in on GET, as for
// mentors: mail scanners open links.
func (s *Server) staffSigninConfirm(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin", s.newPage(c, "title.staff_signin",
		signinPage{Staff: true, Token: url.PathEscape(c.Param("token"))}))
}

func (s *Server) staffSigninRedeem(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := s.Signin.RedeemStaff(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	value, expires, err := s.Signin.StaffSessionStart(ctx, id)
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(staffCookie, value, int(time.Until(expires).Seconds())))
	s.newCSRFCookie(c) // a token seen before signing in dies (csrf.go)
	return c.Redirect(http.StatusSeeOther, links.StaffHome)
}

func (s *Server) staffSignout(c echo.Context) error {
	if ck, err := c.Cookie(staffCookie); err == nil {
		if err := s.Signin.SignOutStaff(c.Request().Context(), ck.Value, c.FormValue("everywhere") == "1"); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie(staffCookie, "", -1))
	s.newCSRFCookie(c)
	return c.Redirect(http.StatusSeeOther, links.StaffSignin)
}

// requireStaffPage establishes the signed-in staff member of a console
// page. A signed-in mentor is refused (403): the console is not theirs;
// anyone else is sent to the sign-in form.
func (s *Server) requireStaffPage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok, err := s.staffPrincipal(c)
		if err != nil {
			return err
		}
		if ok {
			c.Set(principalKey, p)
			return next(c)
		}
		if _, mentor, err := s.mentorPrincipal(c); err != nil {
			return err
		} else if mentor {
			return apperr.Errorf(apperr.Forbidden, "%s", translator(pageLang(c)).T("staff.mentor_refused"))
		}
		return c.Redirect(http.StatusSeeOther, links.StaffSignin)
	}
}

// consoleNav is what every console page shows in its header.
type consoleNav struct {
	Me      *staff.Member
	Current string // dashboard, mentors, mentees, import, statements, team
}

// newConsolePage is a console page with its navigation.
func (s *Server) newConsolePage(c echo.Context, titleKey, current string, data any) (*page, error) {
	me, err := s.Staff.Me(c.Request().Context(), principal(c))
	if err != nil {
		return nil, err
	}
	p := s.newPage(c, titleKey, data)
	p.Console = &consoleNav{Me: me, Current: current}
	return p, nil
}

// teamPage is the staff management page.
type teamPage struct {
	Members []staff.Member
	Next    string
}

func (s *Server) teamPageView(c echo.Context) error {
	return s.renderTeam(c, http.StatusOK, nil)
}

// renderTeam shows the page; form is the add form posted again with its
// refusal (on its field when it names one), or a refusal of the list's
// actions (no values), or nil.
func (s *Server) renderTeam(c echo.Context, status int, form *formState) error {
	list, err := s.Staff.List(c.Request().Context(), principal(c), c.QueryParam("cursor"), 0)
	if err != nil {
		return err
	}
	p, err := s.newConsolePage(c, "title.staff_team", "team", teamPage{Members: list.Members, Next: list.Next})
	if err != nil {
		return err
	}
	p.Error, p.Form = form.Message(), form
	return s.render(c, status, "staff_team", p)
}

// addStaffFromPage adds a staff member; a refusal is shown on its field
// (a taken address on the e-mail), with what was typed.
func (s *Server) addStaffFromPage(c echo.Context) error {
	in := staff.Input{Name: c.FormValue("name"), Email: c.FormValue("email"), Role: c.FormValue("role")}
	_, err := s.Staff.Create(c.Request().Context(), principal(c), in)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, links.StaffTeam+"?done=staff_added")
	}
	form, status, ok := postedFormError(c, consoleInputError(c, "staff", err))
	if !ok || status == http.StatusForbidden {
		return err
	}
	return s.renderTeam(c, status, form)
}

func (s *Server) removeStaffFromPage(c echo.Context) error {
	if err := s.Staff.Delete(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		if msg, status, ok := formError(c, err); ok && status == http.StatusConflict {
			return s.renderTeam(c, status, &formState{message: msg})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, links.StaffTeam+"?done=staff_removed")
}
