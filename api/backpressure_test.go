package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/groupcommit"
)

// A full group-commit queue or a draining node reaches the phone as 503
// with Retry-After, so it retries instead of showing a failure.
func TestWriterBackPressureIs503WithRetryAfter(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, err := range []error{groupcommit.ErrBusy, groupcommit.ErrClosed} {
		e := gin.New()
		e.POST("/save", withBody(func(c *gin.Context, req echoReq) (echoResp, error) { return echoResp{}, err }))
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/save", strings.NewReader(`{"name":"a"}`))
		e.ServeHTTP(w, r)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), `"retry_after_seconds":1`) {
			t.Fatalf("%v: %d %q %s", err, w.Code, w.Header().Get("Retry-After"), w.Body.String())
		}
	}
}
