package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/reqctx"
)

const idempotencyTTL = 24 * time.Hour

var (
	errIdemInProgress = apperr.New(apperr.KindConflict, "request_in_progress", "the same request is still being processed")
	errIdemKey        = apperr.New(apperr.KindBadRequest, "bad_idempotency_key", "Idempotency-Key must be 8-100 printable characters")
)

type storedResponse struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

// idempotency replays the first response to a retried write (a phone on a
// bad network resubmitting), scoped to the caller, route and key. Failed
// attempts (5xx) are forgotten so the client can retry for real.
func idempotency(r *kv.Redis) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		if len(key) < 8 || len(key) > 100 {
			fail(c, errIdemKey)
			return
		}
		who := "ip:" + c.ClientIP()
		if a := reqctx.ActorFrom(c.Request.Context()); a != nil {
			who = fmt.Sprintf("%s:%d", a.Kind, a.UserID)
		}
		sum := sha256.Sum256([]byte(who + "|" + c.Request.Method + "|" + c.FullPath() + "|" + c.Request.URL.Path + "|" + key))
		rk := r.Key("idem", hex.EncodeToString(sum[:16]))
		ctx := c.Request.Context()
		ok, err := r.SetNX(ctx, rk, "pending", idempotencyTTL).Result()
		if err != nil {
			fail(c, err)
			return
		}
		if !ok {
			v, err := r.Get(ctx, rk).Result()
			if err != nil || v == "pending" {
				fail(c, errIdemInProgress)
				return
			}
			var s storedResponse
			if json.Unmarshal([]byte(v), &s) != nil {
				fail(c, errIdemInProgress)
				return
			}
			c.Header("Idempotent-Replayed", "true")
			c.Data(s.Status, s.ContentType, s.Body)
			c.Abort()
			return
		}
		w := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		if c.Writer.Status() >= 500 {
			r.Del(ctx, rk)
			return
		}
		b, _ := json.Marshal(storedResponse{Status: c.Writer.Status(), ContentType: c.Writer.Header().Get("Content-Type"), Body: w.buf.Bytes()})
		r.Set(ctx, rk, b, idempotencyTTL)
	}
}
