package auth

import "taxiexam/internal/platform/apperr"

// Field-error reasons of this package: stable codes (the web app translates
// them) with their English text.
var (
	rsn332CharactersLowerCaseLetters    = apperr.NewReason("username_format", "3-32 characters: lower-case letters, digits, _ . -, starting with a letter")
	rsn6DigitsFromTheAuthenticatorApp   = apperr.NewReason("totp_format", "6 digits from the authenticator app")
	rsnAProctorMustBeBoundTo            = apperr.NewReason("proctor_needs_centre", "a proctor must be bound to one exam centre")
	rsnARecoveryCodeLikeAbcdeFghjk      = apperr.NewReason("recovery_code_format", "a recovery code like abcde-fghjk")
	rsnAWindowClerkMustBeBound          = apperr.NewReason("clerk_needs_office", "a window clerk must be bound to one issuing office")
	rsnNoSuchExamCentre                 = apperr.NewReason("no_such_centre", "no such exam centre")
	rsnNoSuchIssuingOffice              = apperr.NewReason("no_such_office", "no such issuing office")
	rsnOnlyProctorsHaveAnExamCentre     = apperr.NewReason("centre_only_proctors", "only proctors have an exam centre")
	rsnOnlyWindowClerksHaveAnIssuing    = apperr.NewReason("office_only_clerks", "only window clerks have an issuing office")
	rsnUnknownOrAlreadyUsedRecoveryCode = apperr.NewReason("recovery_code_unknown", "unknown or already used recovery code")
	rsnUnknownRole                      = apperr.NewReason("unknown_role", "unknown role")
	rsnWrongOrExpiredCode               = apperr.NewReason("code_wrong", "wrong or expired code")
	rsnWrongOrExpiredCodeCheckThe       = apperr.NewReason("totp_wrong_clock", "wrong or expired code: check the phone's clock and try the next code")
	rsnPasswordClasses                  = apperr.NewReason("password_classes", "use at least three of: upper case, lower case, digits, symbols")
	rsnPasswordTooShort                 = apperr.NewReason("password_too_short", "at least {n} characters")
	rsnWrongPassword                    = apperr.NewReason("wrong_password", "wrong password")
	rsnSamePassword                     = apperr.NewReason("same_password", "same as the current password")
)
