package api

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/auth"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/reqctx"
)

const (
	sessionCookie   = "examd_session"
	ctxPrincipal    = "principal"
	headerRequestID = "X-Request-Id"
)

// requestID is the id withRequestID put into the request's context.
func requestID(c *gin.Context) string { return reqctx.From(c.Request.Context()).ID }

// newRequestID needs uniqueness, not secrecy: math/rand/v2's per-thread
// generator costs no syscall (crypto/rand's getrandom was ~1 % of a
// logged-in request's CPU on this VM).
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// withRequestID takes a sane incoming id (from a load balancer) or makes one,
// and puts the request into the context for the domain packages (the one
// context the request gets: authenticate adds the caller to it in place).
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerRequestID)
		if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \r\n\"") {
			id = newRequestID()
		}
		c.Writer.Header()[headerRequestID] = []string{id} // canonical already
		c.Request = c.Request.WithContext(reqctx.With(c.Request.Context(), reqctx.Request{ID: id, ClientIP: c.ClientIP()}))
		c.Next()
	}
}

// accessLog writes one structured line per request. Typed attributes, the
// client IP that withRequestID already worked out and a record handed to
// the handler directly keep it off the profile of the hot endpoints (it was
// ~7 % of a practice request's CPU with boxed key/value pairs; Logger.LogAttrs
// also walks the stack for a source position the line never shows).
func accessLog(log *slog.Logger) gin.HandlerFunc {
	h := log.Handler()
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		ctx := c.Request.Context()
		if !h.Enabled(ctx, level) {
			return
		}
		path := c.FullPath()
		if path == "" {
			path = "(unmatched)"
		}
		r := reqctx.From(ctx)
		ip := r.ClientIP
		if ip == "" {
			ip = c.ClientIP()
		}
		attrs := [10]slog.Attr{slog.String("method", c.Request.Method), slog.String("route", path), slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.Int("bytes", c.Writer.Size()),
			slog.String("ip", ip), slog.String("request_id", requestID(c))}
		n := 7
		if a := r.Actor; a != nil {
			attrs[n] = slog.String("actor", string(a.Kind)+":"+strconv.FormatInt(a.UserID, 10))
			n++
		}
		rec := slog.NewRecord(time.Now(), level, "http", 0)
		rec.AddAttrs(attrs[:n]...)
		_ = h.Handle(ctx, rec)
	}
}

// recoverPanics turns a panic into a logged 500 in the error shape.
func recoverPanics(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()), "request_id", requestID(c))
				fail(c, fmt.Errorf("panic: %v", v))
			}
		}()
		c.Next()
	}
}

// securityHeaders sets the browser protections on every response. The
// values are built once and assigned under their canonical keys (no
// per-request canonicalisation or allocation).
func securityHeaders(secure bool) gin.HandlerFunc {
	set := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "same-origin"},
		{"Permissions-Policy", "geolocation=(), microphone=(), camera=(self)"},
		// Vant and Element Plus set inline styles; scripts stay same-origin only.
		{"Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
	if secure {
		set = append(set, [2]string{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"})
	}
	keys := make([]string, len(set))
	vals := make([][]string, len(set))
	for i, kv := range set {
		keys[i], vals[i] = http.CanonicalHeaderKey(kv[0]), []string{kv[1]}
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		for i, k := range keys {
			h[k] = vals[i] // shared, never modified: net/http only reads them
		}
		c.Next()
	}
}

// limitBody caps the body size; uploads get the larger limit.
func limitBody(jsonLimit, uploadLimit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := jsonLimit
		if strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/") {
			limit = uploadLimit
		}
		if c.Request.ContentLength > limit {
			fail(c, errBodyTooLarge.WithMessage("the request body is larger than %d bytes", limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// requireCSRFHeader: a cross-site form or image cannot set a custom header,
// so state-changing API calls must carry X-Requested-With (with SameSite
// cookies this is defence in depth).
func requireCSRFHeader() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if c.GetHeader("X-Requested-With") == "" {
				fail(c, errCSRF)
				return
			}
		}
		c.Next()
	}
}

// authenticate resolves the session cookie (if any) to a principal and
// stores it in the context. It never rejects: access is checked per route.
func authenticate(svc *auth.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(sessionCookie)
		if err == nil && token != "" {
			p, err := svc.Authenticate(c.Request.Context(), token)
			switch {
			case err == nil:
				c.Set(ctxPrincipal, p)
				a := &reqctx.Actor{UserID: p.UserID, Kind: reqctx.Kind(p.Kind), Role: p.Role, Username: p.Username, CentreID: p.CentreID, OfficeID: p.OfficeID}
				if ctx := c.Request.Context(); !reqctx.SetActor(ctx, a) {
					r := reqctx.From(ctx)
					r.Actor = a
					c.Request = c.Request.WithContext(reqctx.With(ctx, r))
				}
			case errors.Is(err, apperr.ErrUnauthenticated):
				// stale cookie: behave as anonymous
			default:
				fail(c, err)
				return
			}
		}
		c.Next()
	}
}

// principal returns the caller; routes with Access.Roles only run with one.
func principal(c *gin.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(auth.Principal)
	return pr
}

// authorize enforces a route's Access, and keeps a staff session whose
// password an admin set to the routes marked BeforePasswordChange.
func authorize(a Access, beforePasswordChange bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.Public {
			c.Next()
			return
		}
		p, ok := c.Get(ctxPrincipal)
		if !ok {
			fail(c, apperr.ErrUnauthenticated)
			return
		}
		pr := p.(auth.Principal)
		if !a.Allows(pr.Role) {
			fail(c, apperr.ErrForbidden.WithMessage("your role may not use this"))
			return
		}
		if pr.MustChangePassword && !beforePasswordChange {
			fail(c, auth.ErrPasswordChangeRequired)
			return
		}
		c.Next()
	}
}
