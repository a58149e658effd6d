package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/auth"
)

// MySession is one of the caller's own logins.
type MySession struct {
	ID        string    `json:"id" doc:"handle: the first 12 characters of the session hash"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Current   bool      `json:"current" doc:"the session of this request"`
}

func (s *Server) mySessions(c *gin.Context) (itemList[MySession], error) {
	p := principal(c)
	list, err := s.deps.Auth.MySessions(c.Request.Context(), p.Kind, p.UserID)
	return itemList[MySession]{Items: mapSlice(list, func(x auth.Session) MySession {
		return MySession{ID: x.ID[:auth.SessionHandleLen], CreatedAt: s.at(x.CreatedAt), ExpiresAt: s.at(x.ExpiresAt), IP: x.IP, UserAgent: x.UserAgent, Current: x.ID == p.SessionID}
	})}, err
}

func (s *Server) endMySession(c *gin.Context) (noContent, error) {
	p := principal(c)
	return noContent{}, s.deps.Auth.EndMySession(c.Request.Context(), p.Kind, p.UserID, c.Param("id"))
}

func (s *Server) endAllMySessions(c *gin.Context) (noContent, error) {
	p := principal(c)
	if err := s.deps.Auth.EndAllMySessions(c.Request.Context(), p.Kind, p.UserID); err != nil {
		return noContent{}, err
	}
	s.clearSession(c)
	return noContent{}, nil
}

func (s *Server) candidateSessions(c *gin.Context, id int64) (itemList[SessionInfo], error) {
	list, err := s.deps.Auth.CandidateSessions(c.Request.Context(), id)
	return itemList[SessionInfo]{Items: mapSlice(list, func(x auth.Session) SessionInfo {
		return SessionInfo{ID: x.ID[:auth.SessionHandleLen], CreatedAt: s.at(x.CreatedAt), ExpiresAt: s.at(x.ExpiresAt), RevokedAt: s.atPtr(x.RevokedAt), IP: x.IP, UserAgent: x.UserAgent}
	})}, err
}

func (s *Server) revokeCandidateSessions(c *gin.Context, id int64) (noContent, error) {
	return noContent{}, s.deps.Auth.RevokeCandidateSessions(c.Request.Context(), id)
}
