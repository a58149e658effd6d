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

// With stores r in ctx.
func With(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// From returns the request stored in ctx (zero value if none).
func From(ctx context.Context) Request {
	r, _ := ctx.Value(key{}).(Request)
	return r
}

// ActorFrom returns the caller, or nil when anonymous.
func ActorFrom(ctx context.Context) *Actor {
	return From(ctx).Actor
}
