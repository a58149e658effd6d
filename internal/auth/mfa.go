package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// Staff second factor: a TOTP authenticator (RFC 6238) plus ten one-use
// recovery codes. Bureau admins must use it (security.mfa_required_roles,
// other roles by configuration); anyone may turn it on.
//
// Login is two steps. The password step answers a sealed challenge
// (encrypted with the data key: user, expiry, a fingerprint of the password
// hash) instead of a session; the code step opens the session. Both steps
// draw on the same per-account budget of attempts and the same lockout, and
// the password step of an account with a second factor resets neither, so
// knowing the password buys no extra guesses at the code. A code is taken
// once: the step it belongs to is stored with a conditional UPDATE (newer
// steps only), so a replayed code fails on every node.

// MFA is a staff user's authenticator. Secret is plaintext in memory only;
// the store encrypts it with the data key.
type MFA struct {
	UserID      int64
	Secret      []byte
	ConfirmedAt time.Time // zero while the enrolment waits for its first code
	LastStep    int64     // the newest time step a code was accepted for
	CreatedAt   time.Time
}

// Enabled reports a confirmed authenticator.
func (m MFA) Enabled() bool { return !m.ConfirmedAt.IsZero() }

// MFAStore persists authenticators and recovery codes (authdb).
type MFAStore interface {
	MFA(ctx context.Context, userID int64) (MFA, error) // apperr.ErrNotFound if none
	// PutPendingMFA stores an unconfirmed secret, replacing an unconfirmed one.
	PutPendingMFA(ctx context.Context, m MFA) error
	ConfirmMFA(ctx context.Context, userID int64, step int64, at time.Time) error
	// UseStep records that a code of step was accepted, only if step is
	// newer than the last one; false = a replay (or an older code).
	UseStep(ctx context.Context, userID, step int64) (bool, error)
	DeleteMFA(ctx context.Context, userID int64) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// UseRecoveryCode marks an unused code used; false when there is none.
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// MFAEnabled says which of the users have a confirmed authenticator.
	MFAEnabled(ctx context.Context, userIDs []int64) (map[int64]bool, error)
}

// Sealer encrypts the login challenge (the pii data key).
type Sealer interface {
	Encrypt(plain string) (string, error)
	Decrypt(stored string) (string, error)
}

// MFAConfig is the second factor's part of the configuration.
type MFAConfig struct {
	Required []Role // roles that must use it
	Issuer   string // shown in the authenticator app
}

// WithMFA turns the second factor on.
func (s *Service) WithMFA(store MFAStore, sealer Sealer, cfg MFAConfig) *Service {
	s.mfa, s.sealer, s.mfaCfg = store, sealer, cfg
	if s.mfaCfg.Issuer == "" {
		s.mfaCfg.Issuer = "taxiexam"
	}
	return s
}

// MFARequired reports whether role must log in with a second factor.
func (s *Service) MFARequired(role Role) bool {
	return s.mfa != nil && slices.Contains(s.mfaCfg.Required, role)
}

// challengeTTL is how long the code step may follow the password step.
const challengeTTL = 5 * time.Minute

// RecoveryCodeCount is how many recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// Challenge is the password step's answer when a code must follow.
type Challenge struct {
	Token     string // sealed; sent back with the code
	Enrol     bool   // no authenticator yet: the user enrols now (the role requires one)
	ExpiresAt time.Time
}

// LoginResult is a finished login, or the challenge of its second step.
type LoginResult struct {
	Token     string // session token; empty while Challenge is set
	Principal Principal
	Challenge *Challenge
	// RecoveryCodes are shown once, when the login also finished an enrolment.
	RecoveryCodes []string
}

// ErrMFAPending is what StaffLogin returns when the account needs its
// second step (callers that can show it use StaffLoginStep).
var ErrMFAPending = apperr.New(apperr.KindUnauthenticated, "mfa_pending", "enter the code of your authenticator app")

func pwFingerprint(hash string) string {
	if len(hash) > 12 {
		return hash[len(hash)-12:]
	}
	return hash
}

func (s *Service) sealChallenge(u StaffUser, now time.Time) (Challenge, error) {
	exp := now.Add(challengeTTL)
	tok, err := s.sealer.Encrypt(fmt.Sprintf("mfa1|%d|%d|%s", u.ID, exp.Unix(), pwFingerprint(u.PasswordHash)))
	return Challenge{Token: tok, ExpiresAt: exp}, err
}

// openChallenge returns the user a challenge is for, if it is genuine,
// unexpired and the password has not changed since.
func (s *Service) openChallenge(ctx context.Context, token string) (StaffUser, error) {
	if s.mfa == nil || token == "" || len(token) > 512 {
		return StaffUser{}, ErrMFAChallenge
	}
	plain, err := s.sealer.Decrypt(token)
	if err != nil {
		return StaffUser{}, ErrMFAChallenge
	}
	p := strings.Split(plain, "|")
	if len(p) != 4 || p[0] != "mfa1" {
		return StaffUser{}, ErrMFAChallenge
	}
	id, err1 := strconv.ParseInt(p[1], 10, 64)
	exp, err2 := strconv.ParseInt(p[2], 10, 64)
	if err1 != nil || err2 != nil || s.clock.Now().Unix() > exp {
		return StaffUser{}, ErrMFAChallenge
	}
	u, err := s.store.StaffByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && pwFingerprint(u.PasswordHash) != p[3]) {
		return StaffUser{}, ErrMFAChallenge
	}
	return u, err
}

// needsSecondStep decides after a right password: a challenge when the
// account has an authenticator or its role requires one.
func (s *Service) needsSecondStep(ctx context.Context, u StaffUser) (*Challenge, error) {
	if s.mfa == nil {
		return nil, nil
	}
	m, err := s.mfa.MFA(ctx, u.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	enabled := err == nil && m.Enabled()
	if !enabled && !s.MFARequired(u.Role) {
		return nil, nil
	}
	c, err := s.sealChallenge(u, s.clock.Now())
	if err != nil {
		return nil, err
	}
	c.Enrol = !enabled
	return &c, nil
}

// StaffLoginMFA is the second step: the challenge of the password step and
// a code of the authenticator (or one recovery code). When the account is
// enrolling (the role requires a second factor and the user had none), the
// code confirms the enrolment and the result carries the recovery codes.
func (s *Service) StaffLoginMFA(ctx context.Context, challenge, code, recovery, ip, userAgent string) (LoginResult, error) {
	code, recovery = strings.TrimSpace(code), normRecovery(recovery)
	f := apperr.Fields{}
	if recovery == "" {
		f.Check(len(code) == totpDigits && strings.Trim(code, "0123456789") == "", "code", rsn6DigitsFromTheAuthenticatorApp)
	} else {
		f.Check(len(recovery) == 10, "recovery_code", rsnARecoveryCodeLikeAbcdeFghjk)
	}
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	u, err := s.openChallenge(ctx, challenge)
	if err != nil {
		return LoginResult{}, err
	}
	now := s.clock.Now()
	if u.LockedUntil.After(now) {
		return LoginResult{}, s.lockedError(u.LockedUntil, now)
	}
	if u.Disabled {
		return LoginResult{}, ErrAccountDisabled
	}
	budget, _, err := s.takeLoginAttempt(ctx, u.Username, now)
	if err != nil {
		return LoginResult{}, err
	}
	m, err := s.mfa.MFA(ctx, u.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return LoginResult{}, ErrMFANotEnrolling
	}
	if err != nil {
		return LoginResult{}, err
	}
	var codes []string
	switch {
	case !m.Enabled():
		if recovery != "" {
			return LoginResult{}, ErrMFANotEnrolling
		}
		step, ok := matchTOTP(m.Secret, code, now)
		if !ok {
			return LoginResult{}, s.failLogin(ctx, u, now, ErrMFACodeInvalid.WithField("code", rsnWrongOrExpiredCode))
		}
		actx := asStaff(ctx, u)
		if codes, err = s.confirm(actx, u.ID, step); err != nil {
			return LoginResult{}, err
		}
	case recovery != "":
		ok, err := s.mfa.UseRecoveryCode(ctx, u.ID, s.recoveryHash(u.ID, recovery), now.UTC())
		if err != nil {
			return LoginResult{}, err
		}
		if !ok {
			return LoginResult{}, s.failLogin(ctx, u, now, ErrMFACodeInvalid.WithField("recovery_code", rsnUnknownOrAlreadyUsedRecoveryCode))
		}
		if err := s.audit.Record(asStaff(ctx, u), audit.Entry{Action: "staff.mfa_recovery_code_used", TargetType: "staff_user", TargetID: itoa(u.ID)}); err != nil {
			return LoginResult{}, err
		}
	default:
		if err := s.takeCode(ctx, u, m, code, now); err != nil {
			return LoginResult{}, err
		}
	}
	token, p, err := s.openStaffSession(ctx, u, budget, ip, userAgent)
	return LoginResult{Token: token, Principal: p, RecoveryCodes: codes}, err
}

// takeCode accepts a code of m once: wrong codes count as failed logins, a
// code of a step already used is refused on every node.
func (s *Service) takeCode(ctx context.Context, u StaffUser, m MFA, code string, now time.Time) error {
	step, ok := matchTOTP(m.Secret, code, now)
	if !ok {
		return s.failLogin(ctx, u, now, ErrMFACodeInvalid.WithField("code", rsnWrongOrExpiredCode))
	}
	fresh, err := s.mfa.UseStep(ctx, u.ID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return ErrMFACodeReplayed.WithField("code", apperr.AlreadyUsed())
	}
	return nil
}

func asStaff(ctx context.Context, u StaffUser) context.Context {
	r := reqctx.From(ctx)
	r.Actor = &reqctx.Actor{UserID: u.ID, Kind: reqctx.KindStaff, Role: u.Role, Username: u.Username, CentreID: u.CentreID, OfficeID: u.OfficeID}
	return reqctx.With(ctx, r)
}

// ---------------------------------------------------------------- enrolment

// Enrolment is a new secret waiting for its first code.
type Enrolment struct {
	Secret []byte
	URI    string // otpauth:// for the QR code
}

// BeginMFA starts (or restarts) the enrolment of the logged-in user.
func (s *Service) BeginMFA(ctx context.Context, p Principal) (Enrolment, error) {
	if s.mfa == nil || p.Kind != KindStaff {
		return Enrolment{}, apperr.ErrForbidden
	}
	return s.begin(ctx, p.UserID, p.Username)
}

// BeginMFAWithChallenge starts the enrolment inside a login whose role
// requires a second factor the account does not have yet.
func (s *Service) BeginMFAWithChallenge(ctx context.Context, challenge string) (Enrolment, error) {
	u, err := s.openChallenge(ctx, challenge)
	if err != nil {
		return Enrolment{}, err
	}
	return s.begin(ctx, u.ID, u.Username)
}

func (s *Service) begin(ctx context.Context, userID int64, username string) (Enrolment, error) {
	m, err := s.mfa.MFA(ctx, userID)
	if err == nil && m.Enabled() {
		return Enrolment{}, ErrMFAAlreadyEnabled
	}
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return Enrolment{}, err
	}
	key, err := newTOTPSecret()
	if err != nil {
		return Enrolment{}, err
	}
	if err := s.mfa.PutPendingMFA(ctx, MFA{UserID: userID, Secret: key, CreatedAt: s.clock.Now().UTC()}); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key, URI: OTPAuthURI(s.mfaCfg.Issuer, username, key)}, nil
}

// ConfirmMFA finishes the logged-in user's enrolment with a first code and
// returns the recovery codes (shown once). A wrong code changes nothing.
func (s *Service) ConfirmMFA(ctx context.Context, p Principal, code string) ([]string, error) {
	if s.mfa == nil || p.Kind != KindStaff {
		return nil, apperr.ErrForbidden
	}
	code = strings.TrimSpace(code)
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return nil, apperr.Invalid(apperr.Fields{"code": rsn6DigitsFromTheAuthenticatorApp})
	}
	m, err := s.mfa.MFA(ctx, p.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, ErrMFANotEnrolling
	}
	if err != nil {
		return nil, err
	}
	if m.Enabled() {
		return nil, ErrMFAAlreadyEnabled
	}
	step, ok := matchTOTP(m.Secret, code, s.clock.Now())
	if !ok {
		return nil, ErrMFACodeInvalid.WithField("code", rsnWrongOrExpiredCodeCheckThe)
	}
	return s.confirm(ctx, p.UserID, step)
}

// confirm turns a pending secret on, with fresh recovery codes (audited).
func (s *Service) confirm(ctx context.Context, userID, step int64) ([]string, error) {
	codes, hashes, err := s.newRecoveryCodes(userID)
	if err != nil {
		return nil, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.mfa.ConfirmMFA(ctx, userID, step, s.clock.Now().UTC()); err != nil {
			return err
		}
		if err := s.mfa.ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.mfa_enabled", TargetType: "staff_user", TargetID: itoa(userID)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// MFAStatus is what the account page shows.
type MFAStatus struct {
	Enabled       bool
	Required      bool
	EnabledAt     time.Time
	RecoveryCodes int // unused ones left
}

// MFAStatusOf is the second factor of a staff user.
func (s *Service) MFAStatusOf(ctx context.Context, p Principal) (MFAStatus, error) {
	if s.mfa == nil || p.Kind != KindStaff {
		return MFAStatus{}, apperr.ErrForbidden
	}
	st := MFAStatus{Required: s.MFARequired(p.Role)}
	m, err := s.mfa.MFA(ctx, p.UserID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !m.Enabled()) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Enabled, st.EnabledAt = true, m.ConfirmedAt
	st.RecoveryCodes, err = s.mfa.RecoveryCodesLeft(ctx, p.UserID)
	return st, err
}

// verifyOwn checks a current code of the logged-in user (to turn the
// factor off or renew the recovery codes): wrong codes count as failed logins.
func (s *Service) verifyOwn(ctx context.Context, p Principal, code string) error {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return apperr.Invalid(apperr.Fields{"code": rsn6DigitsFromTheAuthenticatorApp})
	}
	m, err := s.mfa.MFA(ctx, p.UserID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !m.Enabled()) {
		return ErrMFANotEnabled
	}
	if err != nil {
		return err
	}
	u, err := s.store.StaffByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if _, _, err := s.takeLoginAttempt(ctx, u.Username, now); err != nil {
		return err
	}
	return s.takeCode(ctx, u, m, code, now)
}

// DisableMFA turns the logged-in user's second factor off, with a current
// code; not for roles that require it.
func (s *Service) DisableMFA(ctx context.Context, p Principal, code string) error {
	if s.mfa == nil || p.Kind != KindStaff {
		return apperr.ErrForbidden
	}
	if s.MFARequired(p.Role) {
		return ErrMFARequiredByRules
	}
	if err := s.verifyOwn(ctx, p, code); err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.mfa.DeleteMFA(ctx, p.UserID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.mfa_disabled", TargetType: "staff_user", TargetID: itoa(p.UserID)})
	})
}

// RenewRecoveryCodes replaces the recovery codes (the old ones stop
// working), with a current code.
func (s *Service) RenewRecoveryCodes(ctx context.Context, p Principal, code string) ([]string, error) {
	if s.mfa == nil || p.Kind != KindStaff {
		return nil, apperr.ErrForbidden
	}
	if err := s.verifyOwn(ctx, p, code); err != nil {
		return nil, err
	}
	codes, hashes, err := s.newRecoveryCodes(p.UserID)
	if err != nil {
		return nil, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.mfa.ReplaceRecoveryCodes(ctx, p.UserID, hashes); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.mfa_recovery_codes_renewed", TargetType: "staff_user", TargetID: itoa(p.UserID)})
	})
	return codes, err
}

// ResetMFA is the bureau's remedy for a lost phone without recovery codes:
// the authenticator and codes are deleted and the user's sessions end; at
// the next login a role that requires it enrols again (audited).
func (s *Service) ResetMFA(ctx context.Context, userID int64) error {
	if s.mfa == nil {
		return apperr.ErrForbidden
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.StaffByID(ctx, userID); err != nil {
			return err
		}
		if _, err := s.mfa.MFA(ctx, userID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return ErrMFANotEnabled
			}
			return err
		}
		if err := s.mfa.DeleteMFA(ctx, userID); err != nil {
			return err
		}
		if err := s.store.RevokeUserSessions(ctx, KindStaff, userID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.mfa_reset", TargetType: "staff_user", TargetID: itoa(userID)})
	})
	if err != nil {
		return err
	}
	return s.forgetUserSessions(ctx, KindStaff, userID)
}

// MFAEnabled says which of the staff users have a second factor (lists).
func (s *Service) MFAEnabled(ctx context.Context, ids []int64) (map[int64]bool, error) {
	if s.mfa == nil || len(ids) == 0 {
		return map[int64]bool{}, nil
	}
	return s.mfa.MFAEnabled(ctx, ids)
}

// ---------------------------------------------------------------- recovery codes

// recoveryAlphabet has no 0/o, 1/l/i: codes are read off paper.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

func (s *Service) newRecoveryCodes(userID int64) (codes, hashes []string, err error) {
	for i := 0; i < RecoveryCodeCount; i++ {
		b := make([]byte, 10)
		for j := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(recoveryAlphabet))))
			if err != nil {
				return nil, nil, err
			}
			b[j] = recoveryAlphabet[n.Int64()]
		}
		c := string(b)
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, s.recoveryHash(userID, c))
	}
	return codes, hashes, nil
}

// recoveryHash is what the store keeps of a recovery code: keyed, per user.
func (s *Service) recoveryHash(userID int64, code string) string {
	return s.index.BlindIndex("mfa_recovery", itoa(userID)+":"+code)
}

func normRecovery(c string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c)))
}
