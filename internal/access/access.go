// Package access is who calls and what they may do: one Principal for
// every caller, whether it came with a bearer token or a signed-in
// browser, and the rules that every service checks before it acts. The
// HTTP layer only establishes the Principal; it never decides access.
package access

import "github.com/rendezvous/rendezvous/internal/apperr"

// Role is what a principal may do.
type Role string

// The roles of the contract's "People, roles and identity".
const (
	// RoleAdmin may do everything: the admin token, or a staff member
	// with the admin role.
	RoleAdmin Role = "admin"
	// RoleCoordinator is staff that runs the programme: mentors, mentees,
	// sessions, reports and statements, but not staff or webhooks.
	RoleCoordinator Role = "coordinator"
	// RoleMentor acts for one mentor: their profile, calendars, mentees
	// and sessions.
	RoleMentor Role = "mentor"
)

// StaffRole reports whether r is a role a staff member can hold.
func StaffRole(r Role) bool { return r == RoleAdmin || r == RoleCoordinator }

// Principal is an authenticated caller. The zero Principal is nobody and
// may do nothing. Mentees are never principals: their link and manage
// tokens are capabilities that the services check themselves.
type Principal struct {
	Role Role
	// MentorID is set for RoleMentor.
	MentorID string
	// StaffID is set for a staff member (admin or coordinator) signed in
	// as themselves; it is empty for the admin token.
	StaffID string
}

// AdminToken is the holder of the deployment's admin token.
func AdminToken() Principal { return Principal{Role: RoleAdmin} }

// Mentor is a mentor, by token or signed in.
func Mentor(id string) Principal { return Principal{Role: RoleMentor, MentorID: id} }

// Staff is a signed-in staff member with their role.
func Staff(id string, role Role) Principal { return Principal{Role: role, StaffID: id} }

// IsAdmin reports whether p may do everything.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// IsStaff reports whether p runs the programme (admin or coordinator).
func (p Principal) IsStaff() bool { return StaffRole(p.Role) }

// MayActFor reports whether p may act for the mentor mentorID: staff for
// any mentor, a mentor for themselves only.
func (p Principal) MayActFor(mentorID string) bool {
	return p.IsStaff() || (p.Role == RoleMentor && p.MentorID != "" && p.MentorID == mentorID)
}

// Name is how the principal's role is recorded with what it did (e.g. who
// cancelled a session).
func (p Principal) Name() string {
	if p.Role == "" {
		return "nobody"
	}
	return string(p.Role)
}

// RequireStaff refuses anyone but staff (and the admin token).
func (p Principal) RequireStaff(what string) error {
	if p.IsStaff() {
		return nil
	}
	return apperr.Errorf(apperr.Forbidden, "%s needs a staff member or the admin token", what)
}

// RequireAdmin refuses anyone but an admin (the token, or staff with the
// admin role).
func (p Principal) RequireAdmin(what string) error {
	if p.IsAdmin() {
		return nil
	}
	return apperr.Errorf(apperr.Forbidden, "%s needs an admin", what)
}

// RequireMentor refuses anyone who may not act for mentorID. A mentor on
// another mentor's resources gets 403, never data.
func (p Principal) RequireMentor(mentorID string) error {
	if p.MayActFor(mentorID) {
		return nil
	}
	return apperr.Errorf(apperr.Forbidden, "you cannot act for that mentor")
}
