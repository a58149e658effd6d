package results

import "taxiexam/internal/platform/apperr"

// Sentinel errors of the results package.
var (
	ErrNoSitting = apperr.New(apperr.KindConflict, "formal_attempt_without_sitting", "the formal attempt is not tied to an exam sitting")
)
