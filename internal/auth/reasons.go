package auth

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn332CharactersLowerCaseLetters    = apperr.NewReason("3_32_characters_lower_case_letters", "3-32 characters: lower-case letters, digits, _ . -, starting with a letter")
	rsn6DigitsFromTheAuthenticatorApp   = apperr.NewReason("6_digits_from_the_authenticator_app", "6 digits from the authenticator app")
	rsnAProctorMustBeBoundTo            = apperr.NewReason("a_proctor_must_be_bound_to", "a proctor must be bound to one exam centre")
	rsnARecoveryCodeLikeAbcdeFghjk      = apperr.NewReason("a_recovery_code_like_abcde_fghjk", "a recovery code like abcde-fghjk")
	rsnAWindowClerkMustBeBound          = apperr.NewReason("a_window_clerk_must_be_bound", "a window clerk must be bound to one issuing office")
	rsnNoSuchExamCentre                 = apperr.NewReason("no_such_exam_centre", "no such exam centre")
	rsnNoSuchIssuingOffice              = apperr.NewReason("no_such_issuing_office", "no such issuing office")
	rsnOnlyProctorsHaveAnExamCentre     = apperr.NewReason("only_proctors_have_an_exam_centre", "only proctors have an exam centre")
	rsnOnlyWindowClerksHaveAnIssuing    = apperr.NewReason("only_window_clerks_have_an_issuing", "only window clerks have an issuing office")
	rsnUnknownOrAlreadyUsedRecoveryCode = apperr.NewReason("unknown_or_already_used_recovery_code", "unknown or already used recovery code")
	rsnUnknownRole                      = apperr.NewReason("unknown_role", "unknown role")
	rsnWrongOrExpiredCode               = apperr.NewReason("wrong_or_expired_code", "wrong or expired code")
	rsnWrongOrExpiredCodeCheckThe       = apperr.NewReason("wrong_or_expired_code_check_the", "wrong or expired code: check the phone's clock and try the next code")
	rsnPasswordClasses                  = apperr.NewReason("password_classes", "use at least three of: upper case, lower case, digits, symbols")
)
