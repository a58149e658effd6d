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
