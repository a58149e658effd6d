package auth

import "taxiexam/internal/platform/reqctx"

// Role is what a user may do. Staff have exactly one role; candidates are
// always RoleCandidate. The values are defined once, with the caller's
// identity, in reqctx (the domains read them there).
type Role = reqctx.Role

const (
	RoleCandidate      = reqctx.RoleCandidate
	RolePoliceReviewer = reqctx.RolePoliceReviewer
	RoleProctor        = reqctx.RoleProctor     // bound to one exam centre
	RoleWindowClerk    = reqctx.RoleWindowClerk // bound to one issuing office
	RoleQuestionEditor = reqctx.RoleQuestionEditor
	RoleBureauAdmin    = reqctx.RoleBureauAdmin
)

// StaffRoles are the roles a staff account can hold.
var StaffRoles = reqctx.StaffRoles

// AllRoles includes the candidate.
var AllRoles = append([]Role{RoleCandidate}, StaffRoles...)

// Kind of principal.
const (
	KindStaff     = string(reqctx.KindStaff)
	KindCandidate = string(reqctx.KindCandidate)
)
