package attempt

import "taxiexam/internal/platform/apperr"

// Sentinel errors of the attempt engine.
var (
	ErrAlreadyOpen        = apperr.New(apperr.KindConflict, "attempt_open", "an attempt of this kind is already in progress")
	ErrSubmitted          = apperr.New(apperr.KindConflict, "attempt_submitted", "the attempt has been submitted; answers can no longer change")
	ErrDeadlinePassed     = apperr.New(apperr.KindConflict, "deadline_passed", "the time is up; the attempt was submitted at its deadline")
	ErrQuestionNotInPaper = apperr.New(apperr.KindInvalid, "question_not_in_attempt", "this question is not part of the attempt")
	ErrNotSubmitted       = apperr.New(apperr.KindConflict, "attempt_not_submitted", "the review is available after the attempt is submitted")
)
