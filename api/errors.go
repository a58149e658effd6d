package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
)

// ErrorBody is the one error shape of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong, for programs (code) and people (message).
type ErrorDetail struct {
	Code              string            `json:"code"`
	Message           string            `json:"message"`
	Fields            map[string]string `json:"fields,omitempty" doc:"field -> reason in English (kept for older clients; show field_errors instead)"`
	FieldErrors       []FieldError      `json:"field_errors,omitempty" doc:"one per field, sorted by field: a code the client translates, its parameters and the English message"`
	RetryAfterSeconds int               `json:"retry_after_seconds,omitempty"`
	RequestID         string            `json:"request_id,omitempty"`
}

// FieldError is why one field is not acceptable, e.g.
// {"field":"id_number","code":"id_check_char","message":"the check character does not match (GB 11643)"}.
type FieldError struct {
	Field   string         `json:"field"`
	Code    string         `json:"code" doc:"stable reason code; the web app has a text for each in every language"`
	Params  map[string]any `json:"params,omitempty" doc:"values the text refers to as {name}"`
	Message string         `json:"message" doc:"English, with the parameters filled in"`
}

// errorDetail is the JSON of e: the one place field reasons become JSON.
func errorDetail(e *apperr.Error, requestID string) ErrorDetail {
	d := ErrorDetail{Code: e.Code, Message: e.Message, RetryAfterSeconds: e.RetryAfterSeconds, RequestID: requestID}
	if len(e.Fields) > 0 {
		d.Fields = make(map[string]string, len(e.Fields))
		keys := make([]string, 0, len(e.Fields))
		for k, r := range e.Fields {
			d.Fields[k] = r.Message()
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r := e.Fields[k]
			d.FieldErrors = append(d.FieldErrors, FieldError{Field: k, Code: r.Code(), Params: r.Params(), Message: r.Message()})
		}
	}
	return d
}

// statusOf is the only place that maps domain errors to HTTP.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusUnprocessableEntity
	case apperr.KindBadRequest:
		return http.StatusBadRequest
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindLocked:
		return http.StatusLocked
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

var (
	errMalformedJSON = apperr.New(apperr.KindBadRequest, "malformed_json", "the request body is not valid JSON")
	errBodyTooLarge  = apperr.New(apperr.KindTooLarge, "body_too_large", "the request body is too large")
	errRouteNotFound = apperr.New(apperr.KindNotFound, "route_not_found", "no such API route")
	errMethod        = apperr.New(apperr.KindBadRequest, "method_not_allowed", "this method is not allowed here")
	errCSRF          = apperr.New(apperr.KindForbidden, "csrf_header_missing", "state-changing requests need the X-Requested-With header")
	errContentType   = apperr.New(apperr.KindBadRequest, "unsupported_content_type", "send the body as application/json")
)

// fail writes err in the error shape and stops the chain.
func fail(c *gin.Context, err error) {
	e, ok := apperr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			c.Abort()
			return
		}
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", requestID(c), "path", c.FullPath())
		e = apperr.New(apperr.KindInternal, "internal", "something went wrong on our side; please try again")
	}
	status := statusOf(e.Kind)
	if e.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: errorDetail(e, requestID(c))})
}
