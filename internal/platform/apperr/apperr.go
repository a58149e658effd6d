// Package apperr gives domain errors an identity that survives to the edge.
//
// Domain packages return *Error values (usually package-level sentinels made
// with New) or field-validation errors (Invalid). The api package maps Kind to
// an HTTP status in one place; nothing else knows about status codes.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error for the edge. It says what went wrong from the
// caller's point of view, not where.
type Kind int

const (
	KindInternal        Kind = iota // a bug or an unavailable dependency
	KindInvalid                     // the request is well-formed but its values are not acceptable
	KindBadRequest                  // the request itself is malformed
	KindUnauthenticated             // who is calling is unknown or the credentials are wrong
	KindForbidden                   // the caller is known but may not do this
	KindNotFound                    // the thing does not exist (or the caller may not know it does)
	KindConflict                    // the state does not allow it (already done, full, duplicate)
	KindLocked                      // the account or resource is locked for a while
	KindRateLimited                 // too many attempts; retry later
	KindTooLarge                    // the body or upload is too large
	KindUnavailable                 // a dependency is down; retry later
)

// Error is an error with a stable machine code, a human message and optional
// per-field reasons.
type Error struct {
	Kind    Kind
	Code    string // stable, snake_case, part of the API contract
	Message string // for people; may be shown as is
	Fields  Fields // field name -> reason (validation errors)
	// RetryAfterSeconds is set on rate-limit and lock errors.
	RetryAfterSeconds int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k].Message()
	}
	return e.Code + ": " + e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Is lets errors.Is match sentinels by code, so a copy carrying extra detail
// (WithMessage, RetryAfter) still matches its sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Kind == e.Kind
}

// New makes a sentinel. code must be a string literal: the errcodes test
// finds every code the server can return by reading the calls of New, and
// fails when the web app has no text for one.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// WithMessage returns a copy with a more specific message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// WithRetryAfter returns a copy that tells the client when to retry.
func (e *Error) WithRetryAfter(seconds int) *Error {
	c := *e
	c.RetryAfterSeconds = seconds
	return &c
}

// WithField returns a copy that names the offending field.
func (e *Error) WithField(field string, reason Reason) *Error {
	c := *e
	c.Fields = Fields{field: reason}
	return &c
}

// Common sentinels shared by every package.
var (
	ErrNotFound        = New(KindNotFound, "not_found", "not found")
	ErrForbidden       = New(KindForbidden, "forbidden", "you may not do this")
	ErrUnauthenticated = New(KindUnauthenticated, "unauthenticated", "please log in")
	ErrVersionConflict = New(KindConflict, "version_conflict", "someone else changed this in the meantime; reload and try again")
	ErrDuplicate       = New(KindConflict, "duplicate", "this already exists")
)

// Invalid is a validation failure with one reason per field.
func Invalid(fields Fields) *Error {
	e := New(KindInvalid, "invalid_input", "some fields are not valid")
	e.Fields = fields
	return e
}

// Fields collects per-field validation failures; its Err is nil when nothing
// was added, so validators can end with `return v.Err()`.
type Fields map[string]Reason

// Add records a reason for a field; the first reason per field wins.
func (f Fields) Add(field string, reason Reason) {
	if _, ok := f[field]; !ok {
		f[field] = reason
	}
}

// Check adds reason when ok is false.
func (f Fields) Check(ok bool, field string, reason Reason) {
	if !ok {
		f.Add(field, reason)
	}
}

// Err returns nil or an Invalid error.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f)
}

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
