package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/auth"
)

// Route is one line of the route table: where, who may call it, what it
// does, and what it takes and gives (for the OpenAPI document).
type Route struct {
	Method  string
	Path    string // gin syntax: /api/v1/staff/:id
	Access  Access
	Handler gin.HandlerFunc

	Tag     string
	Summary string
	Body    any // request body type; nil when none
	Query   any // struct of query parameters (form tags); nil when none
	Resp    any // success response type; nil for 204
	Status  int // success status; default 200
	// Idempotent makes the route honour an Idempotency-Key header: a retry
	// with the same key replays the first response instead of acting twice.
	Idempotent bool
	// Contended marks writes that queue on one row lock (a session's seat
	// counter): they pass through the node's admission queue first
	// (admission.go), in arrival order, a few at a time.
	Contended bool
	// Raw marks routes that answer with something other than JSON
	// (images, files, metrics); Resp then names the media type.
	Raw string
	// BeforePasswordChange marks the few routes a staff session may call
	// while its password is one an admin set (auth.Principal.
	// MustChangePassword): changing it, logging out, and who am I. Every
	// other route answers 403 password_change_required.
	BeforePasswordChange bool
}

// Access says who may call a route.
type Access struct {
	Public bool
	Roles  []auth.Role
}

var (
	public        = Access{Public: true}
	anyLoggedIn   = Access{Roles: auth.AllRoles}
	candidateOnly = Access{Roles: []auth.Role{auth.RoleCandidate}}
	anyStaff      = Access{Roles: auth.StaffRoles}
)

func roles(r ...auth.Role) Access { return Access{Roles: r} }

// Allows reports whether role may call.
func (a Access) Allows(role auth.Role) bool {
	return a.Public || slices.Contains(a.Roles, role)
}

func (r Route) successStatus() int {
	if r.Status != 0 {
		return r.Status
	}
	if r.Resp == nil && r.Raw == "" {
		return http.StatusNoContent
	}
	return http.StatusOK
}
