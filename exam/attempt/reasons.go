package attempt

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnMustBeAPositiveIncreasingNumber = apperr.NewReason("seq_increasing", "must be a positive, increasing number")
	rsnMustBeBetween1And60             = apperr.NewReason("minutes_1_to_60", "must be between 1 and 60")
	rsnThisQuestionTakesOneAnswer      = apperr.NewReason("one_answer_only", "this question takes one answer")
	rsnNotAnOption                     = apperr.NewReason("not_an_option", "\"{key}\" is not an option of this question")
)
