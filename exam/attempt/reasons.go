package attempt

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnMustBeAPositiveIncreasingNumber = apperr.NewReason("must_be_a_positive_increasing_number", "must be a positive, increasing number")
	rsnMustBeBetween1And60             = apperr.NewReason("must_be_between_1_and_60", "must be between 1 and 60")
	rsnThisQuestionTakesOneAnswer      = apperr.NewReason("this_question_takes_one_answer", "this question takes one answer")
	rsnNotAnOption                     = apperr.NewReason("not_an_option", "\"{key}\" is not an option of this question")
)
