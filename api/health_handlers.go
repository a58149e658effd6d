package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// HealthResponse reports liveness or readiness.
type HealthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (s *Server) healthz(c *gin.Context) (HealthResponse, error) {
	return HealthResponse{Status: "ok"}, nil
}

// readyz answers 200 only when every dependency answers, so a load balancer
// stops sending traffic to a node that lost its database or Redis.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	res := HealthResponse{Status: "ok", Checks: map[string]string{}}
	status := http.StatusOK
	for _, ch := range s.deps.Ready {
		if err := ch.Ping(ctx); err != nil {
			res.Checks[ch.Name] = "down: " + err.Error()
			res.Status, status = "unavailable", http.StatusServiceUnavailable
		} else {
			res.Checks[ch.Name] = "ok"
		}
	}
	c.JSON(status, res)
}

func (s *Server) metrics(c *gin.Context) {
	if s.deps.Metrics == nil {
		c.Status(http.StatusNotFound)
		return
	}
	s.deps.Metrics.ServeHTTP(c.Writer, c.Request)
}
