package api

import (
	"math"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/audit"
	"taxiexam/internal/auth"
	"taxiexam/internal/platform/apperr"
)

// StaffUser is a staff account as the bureau sees it (never the hash).
type StaffUser struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role" doc:"police_reviewer | proctor | window_clerk | question_editor | bureau_admin"`
	CentreID    int64      `json:"centre_id"`
	OfficeID    int64      `json:"office_id"`
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"locked_until"`
	MFAEnabled  bool       `json:"mfa_enabled" doc:"two-step verification (TOTP) is on; in lists only"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
}

// CreateStaffRequest creates an account.
type CreateStaffRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role" doc:"police_reviewer | proctor | window_clerk | question_editor | bureau_admin"`
	CentreID    int64  `json:"centre_id" doc:"proctors only"`
	OfficeID    int64  `json:"office_id" doc:"window clerks only"`
	Password    string `json:"password" doc:"at least 10 characters of three kinds"`
}

// UpdateStaffRequest edits an account; omitted fields stay.
type UpdateStaffRequest struct {
	Version     int     `json:"version" doc:"the version you read; a stale one gets 409"`
	DisplayName *string `json:"display_name,omitempty"`
	Role        *string `json:"role,omitempty"`
	CentreID    *int64  `json:"centre_id,omitempty"`
	OfficeID    *int64  `json:"office_id,omitempty"`
	Disabled    *bool   `json:"disabled,omitempty"`
	Password    *string `json:"password,omitempty"`
}

// SessionInfo is one login of a staff user.
type SessionInfo struct {
	ID        string     `json:"id" doc:"first 12 characters of the session hash"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	IP        string     `json:"ip"`
	UserAgent string     `json:"user_agent"`
}

// AuditRecord is one audit-log line.
type AuditRecord struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`
	ActorKind  string    `json:"actor_kind"`
	ActorRole  string    `json:"actor_role"`
	ActorName  string    `json:"actor_name"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	IP         string    `json:"ip"`
	RequestID  string    `json:"request_id"`
	Before     string    `json:"before" doc:"JSON"`
	After      string    `json:"after" doc:"JSON"`
}

// AuditQuery filters the audit log.
type AuditQuery struct {
	PageQuery
	ActorID    int64  `form:"actor_id" json:"actor_id"`
	Action     string `form:"action" json:"action"`
	TargetType string `form:"target_type" json:"target_type"`
	TargetID   string `form:"target_id" json:"target_id"`
	From       string `form:"from" json:"from" doc:"RFC 3339"`
	To         string `form:"to" json:"to" doc:"RFC 3339"`
}

func (s *Server) staffJSON(u auth.StaffUser) StaffUser {
	out := StaffUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), CentreID: u.CentreID, OfficeID: u.OfficeID,
		Disabled: u.Disabled, Version: u.Version, CreatedAt: s.at(u.CreatedAt)}
	if u.LockedUntil.After(time.Now()) {
		out.LockedUntil = s.atPtr(u.LockedUntil)
	}
	return out
}

func (s *Server) listStaff(c *gin.Context, p pageReq) ([]StaffUser, int64, error) {
	users, total, err := s.deps.Auth.ListStaff(c.Request.Context(), auth.Page{Offset: p.offset(), Limit: p.size})
	if err != nil {
		return nil, 0, err
	}
	on, err := s.deps.Auth.MFAEnabled(c.Request.Context(), mapSlice(users, func(u auth.StaffUser) int64 { return u.ID }))
	out := mapSlice(users, s.staffJSON)
	for i := range out {
		out[i].MFAEnabled = on[out[i].ID]
	}
	return out, total, err
}

func (s *Server) createStaff(c *gin.Context, req CreateStaffRequest) (StaffUser, error) {
	u, err := s.deps.Auth.CreateStaff(c.Request.Context(), auth.NewStaff{Username: req.Username, DisplayName: req.DisplayName, Role: auth.Role(req.Role),
		CentreID: req.CentreID, OfficeID: req.OfficeID, Password: req.Password})
	return s.staffJSON(u), err
}

func (s *Server) updateStaff(c *gin.Context, id int64, req UpdateStaffRequest) (StaffUser, error) {
	ch := auth.StaffChange{Version: req.Version, DisplayName: req.DisplayName, CentreID: req.CentreID, OfficeID: req.OfficeID, Disabled: req.Disabled, Password: req.Password}
	if req.Role != nil {
		r := auth.Role(*req.Role)
		ch.Role = &r
	}
	u, err := s.deps.Auth.UpdateStaff(c.Request.Context(), id, ch)
	return s.staffJSON(u), err
}

func (s *Server) staffSessions(c *gin.Context, id int64) (itemList[SessionInfo], error) {
	list, err := s.deps.Auth.StaffSessions(c.Request.Context(), id)
	return itemList[SessionInfo]{Items: mapSlice(list, func(x auth.Session) SessionInfo {
		return SessionInfo{ID: x.ID[:12], CreatedAt: s.at(x.CreatedAt), ExpiresAt: s.at(x.ExpiresAt), RevokedAt: s.atPtr(x.RevokedAt), IP: x.IP, UserAgent: x.UserAgent}
	})}, err
}

func (s *Server) revokeStaffSessions(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Auth.RevokeStaffSessions(c.Request.Context(), id)
}

func (s *Server) listAudit(c *gin.Context, p pageReq) ([]AuditRecord, int64, error) {
	f := audit.Filter{Action: c.Query("action"), TargetType: c.Query("target_type"), TargetID: c.Query("target_id"), Offset: p.offset(), Limit: p.size}
	bad := apperr.Fields{}
	f.ActorID = queryInt(c, bad, "actor_id", math.MinInt64, rsnNumber)
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			bad.Check(err == nil, name, apperr.RFC3339())
			*dst = t
		}
	}
	if err := bad.Err(); err != nil {
		return nil, 0, err
	}
	recs, total, err := s.deps.Audit.List(c.Request.Context(), f)
	return mapSlice(recs, func(r audit.Record) AuditRecord {
		out := AuditRecord(r)
		out.At = s.at(r.At)
		return out
	}), total, err
}
