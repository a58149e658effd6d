package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
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

var errMetricsElsewhere = apperr.New(apperr.KindNotFound, "metrics_not_here", "metrics are served on server.metrics_addr, or here with the bearer token server.metrics_token")

// metrics serves Prometheus on the app listener only with the configured
// bearer token; with server.metrics_addr they live on that listener alone.
func (s *Server) metrics(c *gin.Context) {
	cfg := s.deps.Config.Server
	if s.deps.Metrics == nil || cfg.MetricsAddr != "" || cfg.MetricsToken == "" {
		fail(c, errMetricsElsewhere)
		return
	}
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(cfg.MetricsToken)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
		fail(c, apperr.ErrUnauthenticated)
		return
	}
	s.deps.Metrics.ServeHTTP(c.Writer, c.Request)
}
