package auth

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"taxiexam/internal/audit"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

// NewStaff is what the bureau fills in to create an account.
type NewStaff struct {
	Username    string
	DisplayName string
	Role        Role
	CentreID    int64
	OfficeID    int64
	Password    string
}

// StaffChange edits an account; nil fields stay as they are. Version must be
// the version the editor saw.
type StaffChange struct {
	Version     int
	DisplayName *string
	Role        *Role
	CentreID    *int64
	OfficeID    *int64
	Disabled    *bool
	Password    *string
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{2,31}$`)

func validateBinding(f apperr.Fields, role Role, centre, office int64) {
	f.Check(role.ValidStaff(), "role", rsnUnknownRole)
	switch role {
	case RoleProctor:
		f.Check(centre > 0, "centre_id", rsnAProctorMustBeBoundTo)
		f.Check(office == 0, "office_id", rsnOnlyWindowClerksHaveAnIssuing)
	case RoleWindowClerk:
		f.Check(office > 0, "office_id", rsnAWindowClerkMustBeBound)
		f.Check(centre == 0, "centre_id", rsnOnlyProctorsHaveAnExamCentre)
	default:
		f.Check(centre == 0, "centre_id", rsnOnlyProctorsHaveAnExamCentre)
		f.Check(office == 0, "office_id", rsnOnlyWindowClerksHaveAnIssuing)
	}
}

// checkReferences adds a field error when the bound centre or office does
// not exist (only once the binding itself is well-formed).
func (s *Service) checkReferences(ctx context.Context, f apperr.Fields, centre, office int64) error {
	if s.refs == nil || len(f) > 0 {
		return nil
	}
	if centre > 0 {
		ok, err := s.refs.CentreExists(ctx, centre)
		if err != nil {
			return err
		}
		f.Check(ok, "centre_id", rsnNoSuchExamCentre)
	}
	if office > 0 {
		ok, err := s.refs.OfficeExists(ctx, office)
		if err != nil {
			return err
		}
		f.Check(ok, "office_id", rsnNoSuchIssuingOffice)
	}
	return nil
}

// setByOther reports whether a password given in ctx for account target was
// chosen by someone else: a logged-in staff member (the bureau admin's
// console) setting another account's password. The holder must then
// replace it at the first login. The operator's command line (examd admin)
// and a configured bootstrap password have no such caller: they are the
// holder's own.
func setByOther(ctx context.Context, target int64) bool {
	a := reqctx.ActorFrom(ctx)
	return a.IsStaff() && a.UserID != target
}

// CreateStaff adds an account (bureau_admin only; checked at the route).
// A password an admin typed is temporary: the holder must change it at the
// first login (StaffUser.MustChangePassword).
func (s *Service) CreateStaff(ctx context.Context, in NewStaff) (StaffUser, error) {
	return s.createStaff(ctx, in, setByOther(ctx, 0))
}

func (s *Service) createStaff(ctx context.Context, in NewStaff, temporary bool) (StaffUser, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	f := apperr.Fields{}
	f.Check(usernameRE.MatchString(in.Username), "username", rsn332CharactersLowerCaseLetters)
	f.Check(in.DisplayName != "" && len([]rune(in.DisplayName)) <= 50, "display_name", apperr.RequiredMaxChars(50))
	validateBinding(f, in.Role, in.CentreID, in.OfficeID)
	if err := s.checkReferences(ctx, f, in.CentreID, in.OfficeID); err != nil {
		return StaffUser{}, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		f.Add("password", passwordReason(err))
	}
	if err := f.Err(); err != nil {
		return StaffUser{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return StaffUser{}, err
	}
	u := StaffUser{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, CentreID: in.CentreID, OfficeID: in.OfficeID, PasswordHash: hash, Version: 1,
		MustChangePassword: temporary}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateStaff(ctx, &u); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.create", TargetType: "staff_user", TargetID: itoa(u.ID), After: staffView(u)})
	})
	return u, err
}

// UpdateStaff applies a change made by an admin. Changing the role,
// disabling or setting a password revokes the user's sessions; a password
// set for someone else must be changed at their next login.
func (s *Service) UpdateStaff(ctx context.Context, id int64, ch StaffChange) (StaffUser, error) {
	var out StaffUser
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var before StaffUser
		var revoke bool
		u, err := s.store.UpdateStaff(ctx, id, func(u *StaffUser) error {
			before = *u
			if ch.Version != u.Version {
				return apperr.ErrVersionConflict
			}
			f := apperr.Fields{}
			if ch.DisplayName != nil {
				d := strings.TrimSpace(*ch.DisplayName)
				f.Check(d != "" && len([]rune(d)) <= 50, "display_name", apperr.RequiredMaxChars(50))
				u.DisplayName = d
			}
			if ch.Role != nil {
				revoke = revoke || *ch.Role != u.Role
				u.Role = *ch.Role
			}
			if ch.CentreID != nil {
				u.CentreID = *ch.CentreID
			}
			if ch.OfficeID != nil {
				u.OfficeID = *ch.OfficeID
			}
			if ch.Disabled != nil {
				revoke = revoke || (*ch.Disabled && !u.Disabled)
				u.Disabled = *ch.Disabled
			}
			if ch.Password != nil {
				if err := ValidatePassword(*ch.Password); err != nil {
					f.Add("password", passwordReason(err))
				} else {
					h, err := HashPassword(*ch.Password)
					if err != nil {
						return err
					}
					u.PasswordHash, u.FailedLogins, u.Lockouts = h, 0, 0
					u.LockedUntil = u.LockedUntil.AddDate(-100, 0, 0)
					u.MustChangePassword = setByOther(ctx, id)
					revoke = true
				}
			}
			validateBinding(f, u.Role, u.CentreID, u.OfficeID)
			if err := s.checkReferences(ctx, f, u.CentreID, u.OfficeID); err != nil {
				return err
			}
			if err := f.Err(); err != nil {
				return err
			}
			u.Version++
			return nil
		})
		if err != nil {
			return err
		}
		if before.Role == RoleBureauAdmin && !before.Disabled && (u.Role != RoleBureauAdmin || u.Disabled) {
			n, err := s.store.CountActiveAdmins(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		if revoke {
			if err := s.store.RevokeUserSessions(ctx, KindStaff, id, s.clock.Now()); err != nil {
				return err
			}
		}
		out = u
		return s.audit.Record(ctx, audit.Entry{Action: "staff.update", TargetType: "staff_user", TargetID: itoa(id), Before: staffView(before), After: staffView(u)})
	})
	if err != nil {
		return StaffUser{}, err
	}
	// Names, roles and bindings show in the cached principal: drop it.
	return out, s.forgetUserSessions(ctx, KindStaff, id)
}

// ListStaff pages through accounts.
func (s *Service) ListStaff(ctx context.Context, p Page) ([]StaffUser, int64, error) {
	return s.store.ListStaff(ctx, p)
}

// StaffSessions lists a user's sessions (newest first).
func (s *Service) StaffSessions(ctx context.Context, userID int64) ([]Session, error) {
	if _, err := s.store.StaffByID(ctx, userID); err != nil {
		return nil, err
	}
	return s.store.ListSessions(ctx, KindStaff, userID)
}

// RevokeStaffSessions ends every session of a staff user.
func (s *Service) RevokeStaffSessions(ctx context.Context, userID int64) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.StaffByID(ctx, userID); err != nil {
			return err
		}
		if err := s.store.RevokeUserSessions(ctx, KindStaff, userID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.revoke_sessions", TargetType: "staff_user", TargetID: itoa(userID)})
	})
	if err != nil {
		return err
	}
	return s.forgetUserSessions(ctx, KindStaff, userID)
}

// EnsureBootstrapAdmin creates the first bureau admin when there is none.
// An empty password generates one, returned so the caller can show it once.
func (s *Service) EnsureBootstrapAdmin(ctx context.Context, username, password string) (created bool, pw string, err error) {
	n, err := s.store.CountActiveAdmins(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	// A generated password has been printed to the log: it is temporary.
	// A configured one is the operator's own choice.
	generated := password == ""
	if generated {
		password = RandomPassword()
	}
	_, err = s.createStaff(ctx, NewStaff{Username: username, DisplayName: "系统管理员", Role: RoleBureauAdmin, Password: password}, generated)
	if err != nil {
		return false, "", err
	}
	return true, password, nil
}

// ChangeOwnPassword sets the logged-in staff member's password: the current
// one must be right (a wrong one counts against the account's login budget
// and lock, like a wrong password at the login page), the new one follows
// the same rules as an admin's and must differ. Every other session of the
// account ends; this one stays, no longer bound to change the password.
// Audited (staff.password_change).
func (s *Service) ChangeOwnPassword(ctx context.Context, p Principal, current, next string) error {
	if p.Kind != KindStaff {
		return apperr.ErrForbidden
	}
	f := apperr.Fields{}
	f.Check(current != "", "current_password", apperr.Required())
	if err := ValidatePassword(next); err != nil {
		f.Add("new_password", passwordReason(err))
	}
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.store.StaffByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if u.LockedUntil.After(now) {
		return s.lockedError(u.LockedUntil, now)
	}
	budget, _, err := s.takeLoginAttempt(ctx, u.Username, now)
	if err != nil {
		return err
	}
	if !CheckPassword(u.PasswordHash, current) {
		return s.failLogin(ctx, u, now, ErrCurrentPasswordWrong)
	}
	if current == next {
		return ErrPasswordUnchanged
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		var before StaffUser
		u, err := s.store.UpdateStaff(ctx, p.UserID, func(x *StaffUser) error {
			before = *x
			// Version is the admin editor's lock: the holder's own password
			// is not a field they edit, so an open edit dialog stays valid.
			x.PasswordHash, x.MustChangePassword = hash, false
			x.FailedLogins, x.Lockouts = 0, 0
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.store.RevokeOtherSessions(ctx, KindStaff, p.UserID, p.SessionID, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "staff.password_change", TargetType: "staff_user", TargetID: itoa(p.UserID),
			Before: map[string]any{"must_change_password": before.MustChangePassword},
			After:  map[string]any{"must_change_password": u.MustChangePassword, "other_sessions_ended": true}})
	})
	if err != nil {
		return err
	}
	if err := s.limiter.Forget(ctx, budget); err != nil {
		return err
	}
	// The cached principals (this session's too) still carry the flag.
	return s.forgetUserSessions(ctx, KindStaff, p.UserID)
}

// staffView is what the audit log keeps of an account (never the hash).
func staffView(u StaffUser) map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role, "centre_id": u.CentreID, "office_id": u.OfficeID, "disabled": u.Disabled, "version": u.Version,
		"must_change_password": u.MustChangePassword}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ---- sessions of candidates: their own, and the bureau's ----

// SessionHandleLen is how much of a session id lists show: enough to pick
// one of a user's sessions, never the whole stored hash.
const SessionHandleLen = 12

// MySessions lists the caller's sessions that can still be used, newest first.
func (s *Service) MySessions(ctx context.Context, kind string, userID int64) ([]Session, error) {
	list, err := s.store.ListSessions(ctx, kind, userID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := list[:0]
	for _, x := range list {
		if x.Active(now) {
			out = append(out, x)
		}
	}
	return out, nil
}

// EndMySession ends one of the caller's own sessions, named by its handle.
func (s *Service) EndMySession(ctx context.Context, kind string, userID int64, handle string) error {
	if len(handle) != SessionHandleLen {
		return apperr.ErrNotFound
	}
	list, err := s.MySessions(ctx, kind, userID)
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.ID[:SessionHandleLen] == handle {
			if err := s.store.RevokeSession(ctx, x.ID, s.clock.Now()); err != nil {
				return err
			}
			return s.cache.Delete(ctx, x.ID)
		}
	}
	return apperr.ErrNotFound
}

// EndAllMySessions logs the caller out everywhere, this device included.
func (s *Service) EndAllMySessions(ctx context.Context, kind string, userID int64) error {
	if err := s.store.RevokeUserSessions(ctx, kind, userID, s.clock.Now()); err != nil {
		return err
	}
	return s.forgetUserSessions(ctx, kind, userID)
}

// CandidateSessions lists a candidate's sessions for the bureau.
func (s *Service) CandidateSessions(ctx context.Context, candidateID int64) ([]Session, error) {
	if _, err := s.store.CandidateByID(ctx, candidateID); err != nil {
		return nil, err
	}
	return s.store.ListSessions(ctx, KindCandidate, candidateID)
}

// RevokeCandidateSessions logs a candidate out everywhere (a lost phone);
// audited.
func (s *Service) RevokeCandidateSessions(ctx context.Context, candidateID int64) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.CandidateByID(ctx, candidateID); err != nil {
			return err
		}
		if err := s.store.RevokeUserSessions(ctx, KindCandidate, candidateID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "candidate.revoke_sessions", TargetType: "candidate", TargetID: itoa(candidateID)})
	})
	if err != nil {
		return err
	}
	return s.forgetUserSessions(ctx, KindCandidate, candidateID)
}

// passwordReason is the field reason of a ValidatePassword error.
func passwordReason(err error) apperr.Reason {
	if e, ok := apperr.As(err); ok {
		if r, ok := e.Fields["password"]; ok {
			return r
		}
	}
	return rsnPasswordClasses
}
