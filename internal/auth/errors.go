package auth

import "taxiexam/internal/platform/apperr"

var (
	ErrInvalidCredentials = apperr.New(apperr.KindUnauthenticated, "invalid_credentials", "wrong username or password")
	ErrAccountLocked      = apperr.New(apperr.KindLocked, "account_locked", "too many failed logins; the account is locked for a while")
	ErrAccountDisabled    = apperr.New(apperr.KindForbidden, "account_disabled", "this account is disabled")
	ErrInvalidCode        = apperr.New(apperr.KindUnauthenticated, "invalid_code", "the verification code is wrong, expired or already used")
	ErrRateLimited        = apperr.New(apperr.KindRateLimited, "rate_limited", "too many requests; please wait")
	ErrSessionInvalid     = apperr.New(apperr.KindUnauthenticated, "unauthenticated", "please log in")
	ErrUsernameTaken      = apperr.New(apperr.KindConflict, "username_taken", "this username is already used")
	ErrLastAdmin          = apperr.New(apperr.KindConflict, "last_admin", "the last active bureau admin cannot be disabled or demoted")
)

// Own password.
var (
	// ErrPasswordChangeRequired answers every staff route but the password
	// change and logout while the account's password is one an admin set.
	ErrPasswordChangeRequired = apperr.New(apperr.KindForbidden, "password_change_required", "choose your own password first: an admin set the one you logged in with")
	ErrCurrentPasswordWrong   = apperr.New(apperr.KindInvalid, "current_password_wrong", "the current password is wrong").WithField("current_password", rsnWrongPassword)
	ErrPasswordUnchanged      = apperr.New(apperr.KindInvalid, "password_unchanged", "the new password must differ from the current one").WithField("new_password", rsnSamePassword)
)

// Second factor (TOTP).
var (
	ErrMFACodeInvalid     = apperr.New(apperr.KindUnauthenticated, "mfa_code_invalid", "the authenticator code is wrong or has expired")
	ErrMFACodeReplayed    = apperr.New(apperr.KindUnauthenticated, "mfa_code_used", "this code was already used; wait for the next one (a new code every 30 seconds)")
	ErrMFAChallenge       = apperr.New(apperr.KindUnauthenticated, "mfa_challenge_invalid", "this login has expired; enter your password again")
	ErrMFAAlreadyEnabled  = apperr.New(apperr.KindConflict, "mfa_already_enabled", "two-step verification is already on for this account")
	ErrMFANotEnrolling    = apperr.New(apperr.KindConflict, "mfa_not_enrolling", "start the enrolment first: scan the QR code, then enter a code")
	ErrMFANotEnabled      = apperr.New(apperr.KindConflict, "mfa_not_enabled", "two-step verification is not on for this account")
	ErrMFARequiredByRules = apperr.New(apperr.KindConflict, "mfa_required", "your role must log in with two-step verification; it cannot be turned off")
)
