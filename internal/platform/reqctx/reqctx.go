// Package reqctx carries who is calling, and from where, through a context.
//
// The api layer fills it in; domain packages read it to record audit entries
// and enforce ownership without knowing about HTTP.
package reqctx

import "context"

// Actor is the authenticated caller of one request: the one typed place
// every domain package reads who calls from (caller.go).
type Actor struct {
	UserID   int64 // staff user id or candidate id, by Kind
	Kind     Kind
	Role     Role
	Username string // staff only
	CentreID int64  // proctors: the one exam centre they work at
	OfficeID int64  // window clerks: the one issuing office they work at
}

// Request describes the call itself.
type Request struct {
	ID       string
	ClientIP string
	Actor    *Actor // nil when anonymous
}

type key struct{}

// With stores a copy of r in ctx.
func With(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, key{}, &r)
}

// From returns the request stored in ctx (zero value if none).
func From(ctx context.Context) Request {
	if r, _ := ctx.Value(key{}).(*Request); r != nil {
		return *r
	}
	return Request{}
}

// SetActor records the caller in the request ctx carries (from With)
// without deriving a new context: the HTTP edge authenticates after it put
// the request in, before any handler or goroutine reads it. It reports
// false when ctx carries no request.
func SetActor(ctx context.Context, a *Actor) bool {
	r, _ := ctx.Value(key{}).(*Request)
	if r == nil {
		return false
	}
	r.Actor = a
	return true
}

// ActorFrom returns the caller, or nil when anonymous.
func ActorFrom(ctx context.Context) *Actor {
	return From(ctx).Actor
}
