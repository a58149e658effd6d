package reqctx

import (
	"context"
	"slices"

	"taxiexam/internal/platform/apperr"
)

// The rule (docs/architecture.md): the route table says who may call, the
// domain says which rows. A route admits roles; the domain service then
// asks the caller here and narrows what it reads and changes to the
// caller's own rows: a candidate's own, a proctor's centre, a window
// clerk's office, everything for the bureau. Rows outside that are "not
// found", as if they did not exist.

// Kind is candidate or staff.
type Kind string

const (
	KindCandidate Kind = "candidate"
	KindStaff     Kind = "staff"
)

// Role is what a user may do. Staff have exactly one role; candidates are
// RoleCandidate, or RoleExamCandidate while signed in on an exam terminal.
// (internal/auth names the same values: auth.Role is this type.)
type Role string

const (
	RoleCandidate      Role = "candidate"
	RoleExamCandidate  Role = "exam_candidate" // a candidate on an exam terminal (formal exam)
	RolePoliceReviewer Role = "police_reviewer"
	RoleProctor        Role = "proctor"      // bound to one exam centre
	RoleWindowClerk    Role = "window_clerk" // bound to one issuing office
	RoleQuestionEditor Role = "question_editor"
	RoleBureauAdmin    Role = "bureau_admin"
)

// StaffRoles are the roles a staff account can hold.
var StaffRoles = []Role{RolePoliceReviewer, RoleProctor, RoleWindowClerk, RoleQuestionEditor, RoleBureauAdmin}

// ValidStaff reports whether r is a known staff role.
func (r Role) ValidStaff() bool { return slices.Contains(StaffRoles, r) }

// IsCandidate reports whether a is a candidate (on a phone or a terminal).
func (a *Actor) IsCandidate() bool { return a != nil && a.Kind == KindCandidate }

// IsStaff reports whether a is a staff member.
func (a *Actor) IsStaff() bool { return a != nil && a.Kind == KindStaff }

// Is reports whether a holds one of roles.
func (a *Actor) Is(roles ...Role) bool { return a != nil && slices.Contains(roles, a.Role) }

// Centre is the exam centre whose rows a proctor sees, 0 for staff who see
// every centre (the bureau). An unbound proctor account sees none.
func (a *Actor) Centre() (int64, error) {
	if a.Is(RoleProctor) {
		if a.CentreID <= 0 {
			return 0, apperr.ErrForbidden.WithMessage("this proctor account is not bound to an exam centre")
		}
		return a.CentreID, nil
	}
	return 0, nil
}

// Office is the issuing office whose rows a window clerk sees, 0 for staff
// who see every office. An unbound clerk account sees none.
func (a *Actor) Office() (int64, error) {
	if a.Is(RoleWindowClerk) {
		if a.OfficeID <= 0 {
			return 0, apperr.ErrForbidden.WithMessage("this window clerk account is not bound to an issuing office")
		}
		return a.OfficeID, nil
	}
	return 0, nil
}

// Candidate is the calling candidate's id: ErrUnauthenticated without a
// caller, ErrForbidden for staff.
func Candidate(ctx context.Context) (int64, error) {
	a := ActorFrom(ctx)
	if a == nil {
		return 0, apperr.ErrUnauthenticated
	}
	if !a.IsCandidate() {
		return 0, apperr.ErrForbidden
	}
	return a.UserID, nil
}

// Staff is the calling staff member, holding one of roles when any are
// given: ErrUnauthenticated without a caller, ErrForbidden otherwise.
func Staff(ctx context.Context, roles ...Role) (*Actor, error) {
	a := ActorFrom(ctx)
	if a == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !a.IsStaff() || (len(roles) > 0 && !a.Is(roles...)) {
		return nil, apperr.ErrForbidden
	}
	return a, nil
}
