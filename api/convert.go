package api

import (
	"time"

	questionbank "taxiexam/question-bank"
)

// Helpers the handler files share to turn domain values into JSON ones.

// itemList is the {"items": [...]} answer of an unpaginated list. It is an
// alias of an unnamed struct, so the OpenAPI document shows it inline.
type itemList[T any] = struct {
	Items []T `json:"items"`
}

// at shows t in the bureau's time zone.
func (s *Server) at(t time.Time) time.Time { return t.In(s.deps.Config.Location) }

// atPtr is at for an optional time: nil when t is zero.
func (s *Server) atPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := s.at(t)
	return &v
}

// now is the current time in the bureau's time zone.
func (s *Server) now() time.Time { return s.at(time.Now()) }

// mapSlice converts every element; the result is never nil, so an empty
// list encodes as [] rather than null.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

// nonNil makes a nil slice empty, so it encodes as [] rather than null.
// letters is a list of option keys as JSON shows them: in letter order
// ("ACD", never the shuffled "DCA"), [] rather than null.
func letters(keys []string) []string { return questionbank.SortedKeys(keys) }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
