package auth

// Role is what a user may do. Staff have exactly one role; candidates are
// always RoleCandidate.
type Role string

const (
	RoleCandidate      Role = "candidate"
	RolePoliceReviewer Role = "police_reviewer"
	RoleProctor        Role = "proctor"      // bound to one exam centre
	RoleWindowClerk    Role = "window_clerk" // bound to one issuing office
	RoleQuestionEditor Role = "question_editor"
	RoleBureauAdmin    Role = "bureau_admin"
)

// StaffRoles are the roles a staff account can hold.
var StaffRoles = []Role{RolePoliceReviewer, RoleProctor, RoleWindowClerk, RoleQuestionEditor, RoleBureauAdmin}

// AllRoles includes the candidate.
var AllRoles = append([]Role{RoleCandidate}, StaffRoles...)

// Valid reports whether r is a known staff role.
func (r Role) ValidStaff() bool {
	for _, s := range StaffRoles {
		if r == s {
			return true
		}
	}
	return false
}

// Kind of principal.
const (
	KindStaff     = "staff"
	KindCandidate = "candidate"
)
