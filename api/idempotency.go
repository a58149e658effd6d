package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/kv"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/reqctx"
)

var (
	errIdemInProgress = apperr.New(apperr.KindConflict, "request_in_progress", "the same request is still being processed").WithRetryAfter(1)
	errIdemKey        = apperr.New(apperr.KindBadRequest, "bad_idempotency_key", "Idempotency-Key must be 8-100 printable characters")
	errIdemReused     = apperr.New(apperr.KindInvalid, "idempotency_key_reused", "this Idempotency-Key was used for a different request").
				WithField("idempotency_key", rsnAlreadyUsedForADifferentRequest)
)

// idemPolicy says how long outcomes and leases live. A request in progress
// holds a lease that its node renews every Renew; a node that dies stops
// renewing, so its lease runs out after Lease and a retry executes afresh
// (every idempotent route is safe to execute again: its domain operation
// is guarded by a version, a unique key or a "return the open one" rule).
type idemPolicy struct {
	Outcome  time.Duration // how long a finished response is replayed
	Lease    time.Duration // how long a pending key survives its node
	Renew    time.Duration // how often a live request renews its lease
	Wait     time.Duration // how long a parallel duplicate waits for the first's outcome
	Deadline time.Duration // how long the handler may run once the client went away
}

var defaultIdemPolicy = idemPolicy{Outcome: 24 * time.Hour, Lease: 10 * time.Second, Renew: 3 * time.Second, Wait: 3 * time.Second, Deadline: 30 * time.Second}

// idemStore keeps idempotency records in Redis. Nothing personal is stored
// in clear: the Redis key is a hash of caller, route and key; the record
// holds a hash of the request and, once done, the status and the response
// body encrypted with the data key (personal data is in those bodies).
//
// Record values: "p|<owner>|<reqhash>" while pending, "d|<reqhash>|<json>"
// when done.
type idemStore struct {
	r      *kv.Redis
	pii    *pii.Protector
	policy idemPolicy
}

type idemOutcome struct {
	Status      int    `json:"s"`
	ContentType string `json:"t"`
	Body        string `json:"b"` // pii.Encrypt of the body
}

// ownerScript runs an operation only while the caller still owns the
// pending record: a lease that ran out and was taken over by a retry is no
// longer the old request's to finish, renew or release.
// KEYS[1] = record; ARGV = pending value, op ("renew"|"finish"|"release"), value, ttl ms.
var ownerScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == 'renew' then redis.call('PEXPIRE', KEYS[1], ARGV[4])
elseif ARGV[2] == 'finish' then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else redis.call('DEL', KEYS[1]) end
return 1
`)

func (s *idemStore) owned(ctx context.Context, key, pending, op, value string, ttl time.Duration) error {
	return ownerScript.Run(ctx, s.r, []string{key}, pending, op, value, ttl.Milliseconds()).Err()
}

// claim takes the key for this request, or returns the record that holds it.
func (s *idemStore) claim(ctx context.Context, key, pending string) (claimed bool, existing string, err error) {
	ok, err := s.r.SetNX(ctx, key, pending, s.policy.Lease).Result()
	if err != nil || ok {
		return ok, "", err
	}
	v, err := s.r.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) { // expired between the two calls
		return s.claim(ctx, key, pending)
	}
	return false, v, err
}

func (s *idemStore) seal(status int, ctype string, body []byte) (string, error) {
	enc, err := s.pii.Encrypt(string(body))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(idemOutcome{Status: status, ContentType: ctype, Body: enc})
	return string(b), err
}

func (s *idemStore) open(v string) (idemOutcome, []byte, error) {
	var o idemOutcome
	if err := json.Unmarshal([]byte(v), &o); err != nil {
		return o, nil, err
	}
	body, err := s.pii.Decrypt(o.Body)
	return o, []byte(body), err
}

type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

func validIdemKey(k string) bool {
	if len(k) < 8 || len(k) > 100 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotency replays the first outcome of a retried write (a phone on a
// bad network resubmitting): same caller, route and key give the original
// status and body; the same key with another body is refused. The outcome is
// stored even when the client has gone, and the handler then runs to its
// end on a context the client cannot cancel. Failures on our side (5xx, or
// nothing written) release the key so the retry executes for real.
func idempotency(s *idemStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		if !validIdemKey(key) {
			fail(c, errIdemKey)
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			fail(c, decodeError(err))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		who := "ip:" + c.ClientIP()
		if a := reqctx.ActorFrom(c.Request.Context()); a != nil {
			who = fmt.Sprintf("%s:%d", a.Kind, a.UserID)
		}
		scope := sha256.Sum256([]byte(who + "|" + c.Request.Method + "|" + c.Request.URL.Path + "|" + key))
		rk := s.r.Key("idem", hex.EncodeToString(scope[:16]))
		reqSum := sha256.Sum256(append([]byte(c.Request.Method+"|"+c.Request.URL.RequestURI()+"|"), body...))
		reqHash := hex.EncodeToString(reqSum[:16])
		owner := make([]byte, 8)
		_, _ = rand.Read(owner)
		pending := "p|" + hex.EncodeToString(owner) + "|" + reqHash

		// From here on the client cannot cancel the work: a phone that
		// drops the connection gets the outcome on its retry.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), s.policy.Deadline)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)

		deadline := time.Now().Add(s.policy.Wait)
		for {
			claimed, existing, err := s.claim(ctx, rk, pending)
			if err != nil {
				fail(c, err)
				return
			}
			if claimed {
				break
			}
			state, rest, _ := strings.Cut(existing, "|")
			if state != "d" && state != "p" { // written by an older release: not ours to replay
				_ = s.r.Del(ctx, rk).Err()
				continue
			}
			if state == "d" {
				h, outcome, _ := strings.Cut(rest, "|")
				if h != reqHash {
					fail(c, errIdemReused)
					return
				}
				o, b, err := s.open(outcome)
				if err != nil {
					fail(c, fmt.Errorf("idempotency record: %w", err))
					return
				}
				c.Header("Idempotent-Replayed", "true")
				c.Data(o.Status, o.ContentType, b)
				c.Abort()
				return
			}
			if _, h, _ := strings.Cut(rest, "|"); h != reqHash {
				fail(c, errIdemReused)
				return
			}
			if time.Now().After(deadline) {
				fail(c, errIdemInProgress)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}

		stopRenew := make(chan struct{})
		defer close(stopRenew) // also when the handler never returns normally
		go func() {
			t := time.NewTicker(s.policy.Renew)
			defer t.Stop()
			for {
				select {
				case <-stopRenew:
					return
				case <-t.C:
					_ = s.owned(context.Background(), rk, pending, "renew", "", s.policy.Lease)
				}
			}
		}()

		w := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		status := c.Writer.Status()
		answered := c.Writer.Written() || status != http.StatusOK // a 204 is only a status until gin flushes it
		if !answered || status >= http.StatusInternalServerError {
			_ = s.owned(ctx, rk, pending, "release", "", 0)
			return
		}
		sealed, err := s.seal(status, c.Writer.Header().Get("Content-Type"), w.buf.Bytes())
		if err != nil {
			_ = s.owned(ctx, rk, pending, "release", "", 0)
			return
		}
		_ = s.owned(ctx, rk, pending, "finish", "d|"+reqHash+"|"+sealed, s.policy.Outcome)
	}
}
