package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
)

type echoReq struct {
	Name string `json:"name"`
}

type echoResp struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Page int    `json:"page,omitempty"`
}

var errEcho = apperr.New(apperr.KindConflict, "echo_conflict", "the name is taken")

func echo(id int64, name string) (echoResp, error) {
	if name == "taken" {
		return echoResp{}, errEcho
	}
	return echoResp{ID: id, Name: name}, nil
}

// TestAdapters serves each adapter the way New does (success status from the
// route, then the handler) and checks what reaches the client: the route's
// status on success, the error shape on failure, a bad id before the body.
func TestAdapters(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	routes := []Route{
		{Method: "GET", Path: "/plain", Handler: noBody(func(c *gin.Context) (echoResp, error) { return echo(0, c.Query("name")) }), Resp: echoResp{}},
		{Method: "POST", Path: "/things", Handler: withBody(func(c *gin.Context, req echoReq) (echoResp, error) { return echo(0, req.Name) }),
			Body: echoReq{}, Resp: echoResp{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/things/:id", Handler: withID(func(c *gin.Context, id int64) (echoResp, error) { return echo(id, c.Query("name")) }), Resp: echoResp{}},
		{Method: "PUT", Path: "/things/:id", Handler: withIDBody(func(c *gin.Context, id int64, req echoReq) (echoResp, error) { return echo(id, req.Name) }),
			Body: echoReq{}, Resp: echoResp{}},
		{Method: "DELETE", Path: "/things/:id", Handler: withID(func(c *gin.Context, id int64) (noContent, error) {
			_, err := echo(id, c.Query("name"))
			return noContent{}, err
		})},
		{Method: "GET", Path: "/things", Handler: paged(func(c *gin.Context, p pageReq) ([]echoResp, int64, error) {
			if c.Query("name") == "taken" {
				return nil, 0, errEcho
			}
			return []echoResp{{ID: int64(p.offset()), Page: p.page}}, 42, nil
		}), Query: PageQuery{}, Resp: Page[echoResp]{}},
		{Method: "GET", Path: "/empty", Handler: paged(func(c *gin.Context, p pageReq) ([]echoResp, int64, error) { return nil, 0, nil }), Resp: Page[echoResp]{}},
	}
	e := gin.New()
	for _, r := range routes {
		e.Handle(r.Method, r.Path, setSuccessStatus(r.successStatus()), r.Handler)
	}

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string // the body, or a part of an error body
	}{
		{"no body", "GET", "/plain?name=a", "", 200, `{"id":0,"name":"a"}`},
		{"no body, service error", "GET", "/plain?name=taken", "", 409, `"code":"echo_conflict"`},
		{"body: the route's 201", "POST", "/things", `{"name":"b"}`, 201, `{"id":0,"name":"b"}`},
		{"body: unknown field", "POST", "/things", `{"name":"b","x":1}`, 400, `"code":"unknown_field"`},
		{"body: empty", "POST", "/things", ``, 400, `"code":"malformed_json"`},
		{"body: wrong type", "POST", "/things", `{"name":1}`, 422, `"name":"must be a string"`},
		{"body: service error", "POST", "/things", `{"name":"taken"}`, 409, `"code":"echo_conflict"`},
		{"id", "GET", "/things/7?name=c", "", 200, `{"id":7,"name":"c"}`},
		{"id: not a number", "GET", "/things/x", "", 404, `"code":"not_found"`},
		{"id: zero", "GET", "/things/0", "", 404, `"code":"not_found"`},
		{"id and body", "PUT", "/things/8", `{"name":"d"}`, 200, `{"id":8,"name":"d"}`},
		{"id and body: a bad id wins over a bad body", "PUT", "/things/x", `{"name":1}`, 404, `"code":"not_found"`},
		{"id and body: bad body", "PUT", "/things/8", `{"name":1}`, 422, `"code":"invalid_input"`},
		{"id and body: service error", "PUT", "/things/8", `{"name":"taken"}`, 409, `"code":"echo_conflict"`},
		{"no content: 204 and no body", "DELETE", "/things/9", "", 204, ``},
		{"no content: service error", "DELETE", "/things/9?name=taken", "", 409, `"code":"echo_conflict"`},
		{"paged: defaults", "GET", "/things", "", 200, `{"items":[{"id":0,"name":"","page":1}],"total":42,"page":1,"page_size":20}`},
		{"paged: offset", "GET", "/things?page=3&page_size=10", "", 200, `{"items":[{"id":20,"name":"","page":3}],"total":42,"page":3,"page_size":10}`},
		{"paged: bad page before the handler", "GET", "/things?page=0&name=taken", "", 422, `"page":"must be a whole number from 1 to 100000"`},
		{"paged: service error", "GET", "/things?name=taken", "", 409, `"code":"echo_conflict"`},
		{"paged: nil items are []", "GET", "/empty", "", 200, `{"items":[],"total":0,"page":1,"page_size":20}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, body)
			}
			switch {
			case tc.status < 300 && body != tc.want:
				t.Fatalf("body %s, want %s", body, tc.want)
			case tc.status >= 300 && !strings.Contains(body, tc.want):
				t.Fatalf("body %s, want it to contain %s", body, tc.want)
			}
			if tc.status == http.StatusNoContent && w.Header().Get("Content-Type") != "" {
				t.Fatalf("204 with Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestQueryInt(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, tc := range []struct {
		query string
		min   int64
		want  int64
		bad   bool
	}{
		{"", 1, 0, false},
		{"n=5", 1, 5, false},
		{"n=0", 1, 0, true},
		{"n=0", 0, 0, false},
		{"n=-3", -10, -3, false},
		{"n=x", 0, 0, true},
		{"n=1.5", 0, 0, true},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/?"+tc.query, nil)
		bad := apperr.Fields{}
		got := queryInt(c, bad, "n", tc.min, rsnNumber)
		if got != tc.want && !tc.bad {
			t.Errorf("%q min %d: got %d, want %d", tc.query, tc.min, got, tc.want)
		}
		if (!bad["n"].IsZero()) != tc.bad {
			t.Errorf("%q min %d: reasons %v, want bad=%v", tc.query, tc.min, bad, tc.bad)
		}
	}
}
