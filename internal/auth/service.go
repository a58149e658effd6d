// Package auth knows who is calling: staff log in with username and
// password, candidates with phone and SMS code; both get a server-side
// session. It also owns staff accounts and their roles.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/pii"
)

// Store persists accounts and sessions. Implemented by authdb.
type Store interface {
	CreateStaff(ctx context.Context, u *StaffUser) error
	StaffByUsername(ctx context.Context, username string) (StaffUser, error)
	StaffByID(ctx context.Context, id int64) (StaffUser, error)
	// UpdateStaff loads the user for update, lets fn change it and saves it
	// in one transaction.
	UpdateStaff(ctx context.Context, id int64, fn func(*StaffUser) error) (StaffUser, error)
	ListStaff(ctx context.Context, p Page) ([]StaffUser, int64, error)
	CountActiveAdmins(ctx context.Context) (int64, error)

	// CandidateByPhone finds or creates the candidate with this phone.
	CandidateByPhone(ctx context.Context, phone string, create bool) (Candidate, error)
	CandidateByID(ctx context.Context, id int64) (Candidate, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByID(ctx context.Context, id string) (Session, error)
	RevokeSession(ctx context.Context, id string, at time.Time) error
	RevokeUserSessions(ctx context.Context, kind string, userID int64, at time.Time) error
	// RevokeOtherSessions ends every session of the user but keep.
	RevokeOtherSessions(ctx context.Context, kind string, userID int64, keep string, at time.Time) error
	ListSessions(ctx context.Context, kind string, userID int64) ([]Session, error)
	// UnexpiredSessionIDs lists every session of the user that has not
	// expired (revoked or not), with no page limit: what a cache may hold.
	UnexpiredSessionIDs(ctx context.Context, kind string, userID int64, now time.Time) ([]string, error)
}

// Limiter is the cross-node rate limiter and one-time-code store (Redis).
type Limiter interface {
	// Allow counts one event against every rule, atomically: either all
	// counters move or none does. retryAfter is set when refused.
	Allow(ctx context.Context, rules []Rule) (ok bool, retryAfter time.Duration, err error)
	// GiveBack undoes one counted event on every rule (the request that
	// was counted then failed on our side, so it must not cost the user).
	GiveBack(ctx context.Context, rules []Rule) error
	// TakeAttempt atomically counts one attempt against r when r has room
	// and returns the new count, or 0 when the budget is spent.
	TakeAttempt(ctx context.Context, r Rule) (n int, err error)
	// Forget deletes a counter (a successful login restores the budget).
	Forget(ctx context.Context, key string) error
	// PutCode stores a code hash for key, replacing any older code.
	PutCode(ctx context.Context, key, codeHash string, ttl time.Duration) error
	// TakeCode consumes the code when it matches; after maxTries wrong tries
	// the code is destroyed.
	TakeCode(ctx context.Context, key, codeHash string, maxTries int) (bool, error)
}

// Indexer is a keyed hash (the pii blind index, HMAC-SHA256 with a secret
// key): rate-limit keys and stored code hashes use it, so neither phone
// numbers nor codes can be recovered from Redis by trying every value.
type Indexer interface {
	BlindIndex(kind, value string) string
}

// Rule is "at most Limit events per Window for Key".
type Rule struct {
	Key    string
	Limit  int
	Window time.Duration
}

// SessionCache keeps resolved sessions in Redis for a short while, so the
// per-request check costs one Redis GET instead of two SQL reads and a
// decryption. Revocations delete the entries; the TTL bounds anything a
// race could leave behind.
type SessionCache interface {
	Get(ctx context.Context, sessionID string) (Principal, time.Time, bool, error)
	Put(ctx context.Context, sessionID string, p Principal, expires time.Time, ttl time.Duration) error
	Delete(ctx context.Context, sessionIDs ...string) error
}

// sessionCacheTTL bounds how long a cached session can outlive a change
// whose invalidation raced with a refill.
const sessionCacheTTL = 30 * time.Second

// CodeSender delivers a verification code by SMS (through the notification
// queue in production).
type CodeSender interface {
	SendVerificationCode(ctx context.Context, phone, code string) error
}

// Auditor records staff actions.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Transactor runs fn in one database transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// References tells whether the exam centre of a proctor and the issuing
// office of a window clerk exist (booking's centres, registration's
// offices), so auth binds staff to real places without importing either.
type References interface {
	CentreExists(ctx context.Context, id int64) (bool, error)
	OfficeExists(ctx context.Context, id int64) (bool, error)
}

// Config is the slice of settings auth needs.
type Config struct {
	StaffSessionTTL     time.Duration
	CandidateSessionTTL time.Duration
	MaxLoginFailures    int
	CodesPerIPPerHour   int // SMS login codes one address may ask for; 0 = DefaultCodesPerIPPerHour
	StaffLoginsPerIP    int // staff password logins one address may try per 10 minutes; 0 = DefaultStaffLoginsPerIP
	Lockout             time.Duration
	Location            *time.Location // for times in messages
}

// Service implements authentication and staff account management.
type Service struct {
	store   Store
	limiter Limiter
	index   Indexer
	cache   SessionCache
	sender  CodeSender
	audit   Auditor
	tx      Transactor
	clock   clock.Clock
	cfg     Config
	refs    References
	// second factor (WithMFA)
	mfa    MFAStore
	sealer Sealer
	mfaCfg MFAConfig
}

// WithReferences makes staff create and update check centre_id and
// office_id against the real centres and offices.
func (s *Service) WithReferences(r References) *Service {
	s.refs = r
	return s
}

// NewService wires the service.
func NewService(store Store, limiter Limiter, index Indexer, cache SessionCache, sender CodeSender, auditor Auditor, tx Transactor, clk clock.Clock, cfg Config) *Service {
	return &Service{store: store, limiter: limiter, index: index, cache: cache, sender: sender, audit: auditor, tx: tx, clock: clk, cfg: cfg}
}

// SMS code policy (DESIGN.md §2).
const (
	CodeTTL         = 5 * time.Minute
	CodeResendAfter = time.Minute
	codeMaxTries    = 5
	codesPerHour    = 5
	codesPerDay     = 10
	// DefaultCodesPerIPPerHour bounds one address (a carrier NAT can hide
	// many phones behind one, hence Config.CodesPerIPPerHour).
	DefaultCodesPerIPPerHour = 30
)

// Staff login limit per client address, on top of each account's budget
// (Config.StaffLoginsPerIP: an office behind one NAT address may need more).
const (
	DefaultStaffLoginsPerIP = 60
	loginIPWindow           = 10 * time.Minute
)

var phoneRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// ValidPhone reports a mainland mobile number.
func ValidPhone(p string) bool { return phoneRE.MatchString(p) }

// codeHash is what Redis keeps of a login code: keyed, so the code cannot
// be found by hashing the million candidates.
func (s *Service) codeHash(phone, code string) string {
	return s.index.BlindIndex("login_code", phone+":"+code)
}

// limiterKey names a rate-limit or code key without putting the phone
// number, username or address itself into Redis (keyed, so the 11-digit
// space cannot be enumerated back).
func (s *Service) limiterKey(kind, value string) string {
	return s.index.BlindIndex("limit_"+kind, value)[:24]
}

func (s *Service) codesPerIPPerHour() int {
	if s.cfg.CodesPerIPPerHour > 0 {
		return s.cfg.CodesPerIPPerHour
	}
	return DefaultCodesPerIPPerHour
}

func (s *Service) staffLoginsPerIP() int {
	if s.cfg.StaffLoginsPerIP > 0 {
		return s.cfg.StaffLoginsPerIP
	}
	return DefaultStaffLoginsPerIP
}

// RequestCode sends a 6-digit login code to phone, within the per-number
// and per-IP limits. It returns how long until another code may be asked for.
func (s *Service) RequestCode(ctx context.Context, phone, ip string) (time.Duration, error) {
	phone = strings.TrimSpace(phone)
	if !ValidPhone(phone) {
		return 0, apperr.Invalid(apperr.Fields{"phone": apperr.Mobile()})
	}
	pk := s.limiterKey("phone", phone)
	rules := []Rule{
		{Key: "sms:min:" + pk, Limit: 1, Window: CodeResendAfter},
		{Key: "sms:hour:" + pk, Limit: codesPerHour, Window: time.Hour},
		{Key: "sms:day:" + pk, Limit: codesPerDay, Window: 24 * time.Hour},
		{Key: "sms:ip:" + s.limiterKey("ip", ip), Limit: s.codesPerIPPerHour(), Window: time.Hour},
	}
	ok, retry, err := s.limiter.Allow(ctx, rules)
	if err != nil {
		return 0, err
	}
	if !ok {
		secs := int(retry.Round(time.Second) / time.Second)
		return 0, ErrRateLimited.WithMessage("too many codes requested; try again in %d seconds", secs).WithRetryAfter(secs)
	}
	if err := s.sendCode(ctx, pk, phone); err != nil {
		// No code went out: the request must not cost the user their quota.
		_ = s.limiter.GiveBack(context.WithoutCancel(ctx), rules)
		return 0, err
	}
	return CodeResendAfter, nil
}

// sendCode stores a fresh code and queues its SMS; the outbox insert runs
// in the retrying transaction helper, so a deadlock in a burst is retried
// instead of failing the request.
func (s *Service) sendCode(ctx context.Context, pk, phone string) error {
	code, err := randomDigits(6)
	if err != nil {
		return err
	}
	if err := s.limiter.PutCode(ctx, "code:"+pk, s.codeHash(phone, code), CodeTTL); err != nil {
		return err
	}
	if err := s.tx.InTx(ctx, func(ctx context.Context) error { return s.sender.SendVerificationCode(ctx, phone, code) }); err != nil {
		return fmt.Errorf("send code: %w", err)
	}
	return nil
}

// CandidateLogin checks the code and opens a candidate session. The code is
// single use and dies after five wrong tries.
func (s *Service) CandidateLogin(ctx context.Context, phone, code, ip, userAgent string) (token string, p Principal, err error) {
	phone, code = strings.TrimSpace(phone), strings.TrimSpace(code)
	f := apperr.Fields{}
	f.Check(ValidPhone(phone), "phone", apperr.Mobile())
	f.Check(len(code) == 6 && strings.Trim(code, "0123456789") == "", "code", apperr.SixDigits())
	if err := f.Err(); err != nil {
		return "", Principal{}, err
	}
	ok, err := s.limiter.TakeCode(ctx, "code:"+s.limiterKey("phone", phone), s.codeHash(phone, code), codeMaxTries)
	if err != nil {
		return "", Principal{}, err
	}
	if !ok {
		return "", Principal{}, ErrInvalidCode
	}
	cand, err := s.store.CandidateByPhone(ctx, phone, true)
	if err != nil {
		return "", Principal{}, err
	}
	token, sess, err := s.newSession(KindCandidate, cand.ID, RoleCandidate, s.cfg.CandidateSessionTTL, ip, userAgent)
	if err != nil {
		return "", Principal{}, err
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Principal{}, err
	}
	return token, candidatePrincipal(cand, sess.ID), nil
}

// StaffLogin checks the password and opens a session. An account that
// needs its second factor answers ErrMFAPending (StaffLoginStep returns the
// challenge instead).
func (s *Service) StaffLogin(ctx context.Context, username, password, ip, userAgent string) (string, Principal, error) {
	r, err := s.StaffLoginStep(ctx, username, password, ip, userAgent)
	if err != nil {
		return "", Principal{}, err
	}
	if r.Challenge != nil {
		return "", Principal{}, ErrMFAPending
	}
	return r.Token, r.Principal, nil
}

// StaffLoginStep checks the password. Each account (and each unknown name,
// so the lock does not reveal which names exist) has a budget of
// MaxLoginFailures attempts per Lockout window, taken atomically in Redis
// BEFORE the password is verified: a parallel burst gets no more guesses
// than a sequence would (at most twice the budget across a window's edge).
// The account locks when its failures reach the limit, so at most once per
// window however many requests a burst holds, for a period that doubles
// with each lock since the last success. An account with a second factor
// (or whose role requires one) gets a challenge for StaffLoginMFA instead
// of a session; the budget and the failure count carry over to that step.
func (s *Service) StaffLoginStep(ctx context.Context, username, password, ip, userAgent string) (LoginResult, error) {
	username = strings.TrimSpace(username)
	f := apperr.Fields{}
	f.Check(username != "", "username", apperr.Required())
	f.Check(password != "", "password", apperr.Required())
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	if ok, retry, err := s.limiter.Allow(ctx, []Rule{{Key: "login:ip:" + s.limiterKey("ip", ip), Limit: s.staffLoginsPerIP(), Window: loginIPWindow}}); err != nil {
		return LoginResult{}, err
	} else if !ok {
		secs := int(retry / time.Second)
		return LoginResult{}, ErrRateLimited.WithMessage("too many login attempts from this address; try again in %d seconds", secs).WithRetryAfter(secs)
	}
	u, err := s.store.StaffByUsername(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return LoginResult{}, err
	}
	now := s.clock.Now()
	if known && u.LockedUntil.After(now) {
		return LoginResult{}, s.lockedError(u.LockedUntil, now)
	}
	budget, n, err := s.takeLoginAttempt(ctx, username, now)
	if err != nil {
		return LoginResult{}, err
	}
	if !known {
		CheckPassword(dummyHash, password)
		if n >= s.cfg.MaxLoginFailures {
			return LoginResult{}, s.lockedError(s.windowEnd(now), now)
		}
		return LoginResult{}, ErrInvalidCredentials
	}
	if !CheckPassword(u.PasswordHash, password) {
		return LoginResult{}, s.failLogin(ctx, u, now, ErrInvalidCredentials)
	}
	if u.Disabled {
		return LoginResult{}, ErrAccountDisabled
	}
	ch, err := s.needsSecondStep(ctx, u)
	if err != nil {
		return LoginResult{}, err
	}
	if ch != nil {
		return LoginResult{Challenge: ch}, nil
	}
	token, p, err := s.openStaffSession(ctx, u, budget, ip, userAgent)
	return LoginResult{Token: token, Principal: p}, err
}

// windowEnd is the end of the fixed lockout window now falls in.
func (s *Service) windowEnd(now time.Time) time.Time {
	return now.Truncate(s.cfg.Lockout).Add(s.cfg.Lockout)
}

func (s *Service) budgetKey(username string, now time.Time) string {
	return fmt.Sprintf("login:acct:%s:%d", s.limiterKey("user", strings.ToLower(username)), now.Truncate(s.cfg.Lockout).Unix())
}

// takeLoginAttempt takes one attempt of the account's budget in this
// window (fixed windows on the service clock, so tests can move time); a
// spent budget is the lock.
// It returns the budget's key and how many attempts it has used.
func (s *Service) takeLoginAttempt(ctx context.Context, username string, now time.Time) (string, int, error) {
	budget := s.budgetKey(username, now)
	n, err := s.limiter.TakeAttempt(ctx, Rule{Key: budget, Limit: s.cfg.MaxLoginFailures, Window: s.cfg.Lockout + time.Minute})
	if err != nil {
		return "", 0, err
	}
	if n == 0 {
		return "", 0, s.lockedError(s.windowEnd(now), now)
	}
	return budget, n, nil
}

// failLogin counts a wrong password or code against the account and locks
// it at the limit; it returns the lock or wrong.
func (s *Service) failLogin(ctx context.Context, u StaffUser, now time.Time, wrong error) error {
	var locked time.Time
	_, err := s.store.UpdateStaff(ctx, u.ID, func(x *StaffUser) error {
		if x.LockedUntil.After(now) { // locked by a parallel failure meanwhile
			locked = x.LockedUntil
			return nil
		}
		x.FailedLogins++
		if x.FailedLogins >= s.cfg.MaxLoginFailures {
			x.LockedUntil = now.Add(s.cfg.Lockout << min(x.Lockouts, 6))
			x.Lockouts++
			x.FailedLogins = 0
			locked = x.LockedUntil
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !locked.IsZero() {
		return s.lockedError(locked, now)
	}
	return wrong
}

// openStaffSession ends a successful login: failures forgotten, the budget
// restored, a session opened.
func (s *Service) openStaffSession(ctx context.Context, u StaffUser, budget, ip, userAgent string) (string, Principal, error) {
	var err error
	if u.FailedLogins > 0 || u.Lockouts > 0 {
		if u, err = s.store.UpdateStaff(ctx, u.ID, func(x *StaffUser) error {
			x.FailedLogins, x.Lockouts = 0, 0
			return nil
		}); err != nil {
			return "", Principal{}, err
		}
	}
	if err := s.limiter.Forget(ctx, budget); err != nil {
		return "", Principal{}, err
	}
	token, sess, err := s.newSession(KindStaff, u.ID, u.Role, s.cfg.StaffSessionTTL, ip, userAgent)
	if err != nil {
		return "", Principal{}, err
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Principal{}, err
	}
	return token, staffPrincipal(u, sess.ID), nil
}

func (s *Service) lockedError(until, now time.Time) error {
	secs := int(until.Sub(now).Round(time.Second) / time.Second)
	loc := s.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	return ErrAccountLocked.WithMessage("too many failed logins; the account is locked until %s", until.In(loc).Format(time.RFC3339)).WithRetryAfter(secs)
}

// Authenticate resolves a session token to its principal.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrSessionInvalid
	}
	id := TokenID(token)
	if p, expires, ok, err := s.cache.Get(ctx, id); err == nil && ok {
		if s.clock.Now().Before(expires) {
			return p, nil
		}
		return Principal{}, ErrSessionInvalid
	}
	p, expires, err := s.authenticateFromStore(ctx, id)
	if err != nil {
		return Principal{}, err
	}
	// A cache failure only costs speed.
	_ = s.cache.Put(ctx, id, p, expires, sessionCacheTTL)
	return p, nil
}

func (s *Service) authenticateFromStore(ctx context.Context, id string) (Principal, time.Time, error) {
	sess, err := s.store.SessionByID(ctx, id)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Principal{}, time.Time{}, ErrSessionInvalid
		}
		return Principal{}, time.Time{}, err
	}
	if !sess.Active(s.clock.Now()) {
		return Principal{}, time.Time{}, ErrSessionInvalid
	}
	switch sess.Kind {
	case KindStaff:
		u, err := s.store.StaffByID(ctx, sess.UserID)
		if err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return Principal{}, time.Time{}, ErrSessionInvalid
			}
			return Principal{}, time.Time{}, err
		}
		if u.Disabled {
			return Principal{}, time.Time{}, ErrSessionInvalid
		}
		return staffPrincipal(u, sess.ID), sess.ExpiresAt, nil
	default:
		c, err := s.store.CandidateByID(ctx, sess.UserID)
		if err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return Principal{}, time.Time{}, ErrSessionInvalid
			}
			return Principal{}, time.Time{}, err
		}
		p := candidatePrincipal(c, sess.ID)
		if sess.Kind == KindExamCandidate {
			p.Role = RoleExamCandidate // same person, exam-terminal routes only
		}
		return p, sess.ExpiresAt, nil
	}
}

// Logout revokes the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	id := TokenID(token)
	if err := s.store.RevokeSession(ctx, id, s.clock.Now()); err != nil {
		return err
	}
	return s.cache.Delete(ctx, id)
}

// forgetUserSessions drops every cached session of a user (however many
// there are) after a change to the user or their sessions has committed.
func (s *Service) forgetUserSessions(ctx context.Context, kind string, userID int64) error {
	ids, err := s.store.UnexpiredSessionIDs(ctx, kind, userID, s.clock.Now())
	if err != nil {
		return err
	}
	const chunk = 500 // keys per DEL and per invalidation message
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if err := s.cache.Delete(ctx, ids[:n]...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// TokenID is the stored identity of a session token.
func TokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) newSession(kind string, userID int64, role Role, ttl time.Duration, ip, ua string) (string, Session, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", Session{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.clock.Now()
	if len(ua) > 250 {
		ua = ua[:250]
	}
	return token, Session{ID: TokenID(token), Kind: kind, UserID: userID, Role: role, CreatedAt: now, ExpiresAt: now.Add(ttl), IP: ip, UserAgent: ua}, nil
}

func staffPrincipal(u StaffUser, sid string) Principal {
	return Principal{Kind: KindStaff, UserID: u.ID, Role: u.Role, Username: u.Username, DisplayName: u.DisplayName, CentreID: u.CentreID, OfficeID: u.OfficeID, SessionID: sid,
		MustChangePassword: u.MustChangePassword}
}

func candidatePrincipal(c Candidate, sid string) Principal {
	return Principal{Kind: KindCandidate, UserID: c.ID, Role: RoleCandidate, PhoneMasked: pii.MaskPhone(c.Phone), SessionID: sid}
}

func randomDigits(n int) (string, error) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}
