package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"taxiexam/api"
	"taxiexam/internal/auth"
)

// TestOpenAPIMatchesRoutes fails when gin serves a route the document does
// not describe, or the document describes one gin does not serve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ta := newTestApp(t, nil)
	res := ta.call(t, http.DefaultClient, "GET", "/api/v1/openapi.json", "")
	if res.status != http.StatusOK {
		t.Fatalf("openapi: %d", res.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, r := range ta.Handler().RegisteredRoutes() {
		served[r.Method+" "+api.OpenAPIPath(r.Path)] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("served but undocumented: %v\ndocumented but not served: %v", missing, extra)
	}
	if doc.OpenAPI == "" || len(served) < 10 {
		t.Fatalf("document looks empty: %d routes", len(served))
	}
}

var pathParam = regexp.MustCompile(`:[A-Za-z_]+|\*[A-Za-z_]+`)

// TestRoleMatrix calls every route of the table as every role and
// anonymously: anonymous callers of a protected route get 401, roles the
// route does not list get 403, and the roles it lists get through
// authorization (their empty or invalid request may still be refused, but
// never with 401/403 and never with a 5xx).
func TestRoleMatrix(t *testing.T) {
	ta := newTestApp(t, nil)
	clients := map[string]*http.Client{"anonymous": ta.client()}
	for _, role := range auth.StaffRoles {
		c := ta.client()
		ta.loginStaff(t, c, role)
		clients[string(role)] = c
	}
	cand := ta.client()
	ta.loginCandidate(t, cand, "13700137000")
	clients[string(auth.RoleCandidate)] = cand

	table := ta.Handler().Routes()
	// Logging out ends the session the rest of the matrix needs: last.
	sort.SliceStable(table, func(i, j int) bool {
		return !strings.HasSuffix(table[i].Path, "/logout") && strings.HasSuffix(table[j].Path, "/logout")
	})
	// "Log out everywhere" runs as a second candidate, so the first keeps
	// its session for the rest of the matrix.
	spare := ta.client()
	ta.loginCandidate(t, spare, "13700137001")
	callers := append([]string{"anonymous"}, rolesAsStrings()...)
	for _, r := range table {
		// Ids that exist nowhere, so allowed roles exercise the handler
		// without changing anything the next caller depends on.
		path := pathParam.ReplaceAllString(r.Path, "999999")
		for _, who := range callers {
			body := ""
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = "{}"
			}
			c := clients[who]
			if who == string(auth.RoleCandidate) && strings.HasSuffix(r.Path, "/me/sessions/revoke-all") {
				c = spare
			}
			res := ta.call(t, c, r.Method, path, body)
			allowed := r.Access.Public || (who != "anonymous" && r.Access.Allows(auth.Role(who)))
			switch {
			case !allowed && who == "anonymous" && res.status != http.StatusUnauthorized:
				t.Errorf("%s %s as anonymous: want 401, got %d %s", r.Method, r.Path, res.status, res.body)
			case !allowed && who != "anonymous" && res.status != http.StatusForbidden:
				t.Errorf("%s %s as %s: want 403, got %d %s", r.Method, r.Path, who, res.status, res.body)
			case allowed && (res.status == http.StatusUnauthorized && !r.Access.Public || res.status == http.StatusForbidden && !strings.Contains(res.body, "csrf")):
				t.Errorf("%s %s as %s: allowed but got %d %s", r.Method, r.Path, who, res.status, res.body)
			case res.status >= 500 && !(r.Path == "/readyz"):
				t.Errorf("%s %s as %s: server error %d %s", r.Method, r.Path, who, res.status, res.body)
			}
		}
	}
}

func rolesAsStrings() []string {
	out := make([]string, len(auth.AllRoles))
	for i, r := range auth.AllRoles {
		out[i] = string(r)
	}
	return out
}
