package attempt

import (
	"context"
	"time"

	"taxiexam/internal/platform/apperr"
)

// What a proctor may do to a formal attempt. The exam-day package checks
// that the attempt belongs to the proctor's centre before calling these.

// MaxExtension bounds one extension of an attempt's time.
const MaxExtension = 60 * time.Minute

// Extend gives an attempt in progress more time (e.g. after a terminal
// failure). An attempt already over cannot be reopened.
func (s *Service) Extend(ctx context.Context, id int64, by time.Duration) (Attempt, error) {
	if by <= 0 || by > MaxExtension {
		return Attempt{}, apperr.Invalid(apperr.Fields{"minutes": rsnMustBeBetween1And60})
	}
	a, err := s.load(ctx, KindFormal, id)
	if err != nil {
		return Attempt{}, err
	}
	if a.Submitted() {
		return Attempt{}, ErrSubmitted
	}
	ok, err := s.store.Extend(ctx, id, a.Deadline.Add(by).UTC(), s.clock.Now().UTC())
	if err != nil {
		return Attempt{}, err
	}
	if !ok {
		return Attempt{}, ErrSubmitted // submitted or overdue in between
	}
	return s.store.Get(ctx, id)
}

// ForceSubmit ends an attempt now on a proctor's decision. An attempt
// already submitted is returned as it is.
func (s *Service) ForceSubmit(ctx context.Context, id int64) (Attempt, error) {
	a, err := s.load(ctx, KindFormal, id)
	if err != nil || a.Submitted() {
		return a, err
	}
	a, _, err = s.submit(ctx, id, ReasonProctor)
	return a, err
}

// Get reads a formal attempt (submitting it first when overdue) for the
// exam-day package, which has checked the caller's right to it.
func (s *Service) Get(ctx context.Context, id int64) (Attempt, error) {
	return s.load(ctx, KindFormal, id)
}

// Progress counts the answered items of each attempt (for the seat map).
func (s *Service) Progress(ctx context.Context, ids []int64) (map[int64]Counts, error) {
	return s.store.Progress(ctx, ids)
}
