package auth

import "time"

// StaffUser is a bureau, police, centre or window account.
type StaffUser struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         Role
	CentreID     int64 // proctor only
	OfficeID     int64 // window_clerk only
	PasswordHash string
	FailedLogins int // consecutive failures since the last success
	Lockouts     int // how many times locked since the last success; the lock doubles each time
	LockedUntil  time.Time
	Disabled     bool
	Version      int // optimistic lock for edits by people
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// MustChangePassword is set when someone else (an admin, or examd
	// generating the first admin's) chose the password: until the holder
	// sets their own, their sessions may only do that or log out.
	MustChangePassword bool
}

// Candidate is a person known by a verified phone number.
type Candidate struct {
	ID        int64
	Phone     string // plaintext in memory only; the store encrypts it
	CreatedAt time.Time
}

// Session is a server-side login. The token itself is never stored: ID is
// its SHA-256, so a leaked table cannot be replayed.
type Session struct {
	ID        string
	Kind      string
	UserID    int64
	Role      Role
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
	IP        string
	UserAgent string
}

// Active reports whether s can be used at now.
func (s Session) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

// Principal is who a valid session belongs to.
type Principal struct {
	Kind        string
	UserID      int64
	Role        Role
	Username    string // staff
	DisplayName string
	PhoneMasked string // candidate
	CentreID    int64
	OfficeID    int64
	SessionID   string
	// MustChangePassword: a staff session that may only change the
	// password or log out (StaffUser.MustChangePassword).
	MustChangePassword bool
}

// Page selects part of a list.
type Page struct {
	Offset, Limit int
}
