package practice

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsnChooseAnAnswer             = apperr.NewReason("choose_answer", "choose an answer")
	rsnThisQuestionTakesOneAnswer = apperr.NewReason("one_answer_only", "this question takes one answer")
	rsnUnknownPracticeMode        = apperr.NewReason("unknown_practice_mode", "unknown practice mode")
	rsnNotAnOption                = apperr.NewReason("not_an_option", "\"{key}\" is not an option of this question")
)
