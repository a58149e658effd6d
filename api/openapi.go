package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// The OpenAPI document is generated from the route table and the Go types
// each route names, so it cannot drift from the handlers; a test checks
// that gin serves exactly the documented routes.

var paramRE = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// OpenAPIPath turns gin's /a/:id into OpenAPI's /a/{id}.
func OpenAPIPath(p string) string { return paramRE.ReplaceAllString(p, "{$1}") }

type schemaGen struct {
	components map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func schemaName(t reflect.Type) string {
	n := t.Name()
	// Generic instances: Page[taxiexam/api.StaffUser] -> Page_StaffUser
	n = regexp.MustCompile(`[\w./-]*\.`).ReplaceAllString(n, "")
	return strings.NewReplacer("[", "_", "]", "", ",", "_", " ", "").Replace(n)
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := g.schema(t.Elem())
		if ref, ok := s["$ref"]; ok {
			return map[string]any{"allOf": []any{map[string]any{"$ref": ref}}, "nullable": true}
		}
		c := map[string]any{}
		for k, v := range s {
			c[k] = v
		}
		c["nullable"] = true
		return c
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := schemaName(t)
		if _, ok := g.components[name]; !ok {
			g.components[name] = map[string]any{} // break recursion
			g.components[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type)
			if vals := enumDoc(f.Tag.Get("doc")); vals != nil && f.Type.Kind() == reflect.String {
				s["enum"] = vals
			}
			if d := f.Tag.Get("doc"); d != "" {
				if _, isRef := s["$ref"]; isRef {
					s = map[string]any{"allOf": []any{s}, "description": d}
				} else {
					s["description"] = d
				}
			}
			props[name] = s
			// Without omitempty the key is always there (a nil pointer is null).
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

var enumDocRE = regexp.MustCompile(`^[a-z0-9_]+( \| [a-z0-9_]+)+$`)

// enumDoc reads a doc tag that is nothing but the values of a string field
// ("draft | published | closed") as its enum, so the generated web app
// types are unions; a doc with any other words stays a description only.
func enumDoc(doc string) []string {
	if !enumDocRE.MatchString(doc) {
		return nil
	}
	return strings.Split(doc, " | ")
}

func queryParams(t reflect.Type) []any {
	var out []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, queryParams(f.Type)...)
			continue
		}
		name := f.Tag.Get("form")
		if name == "" || name == "-" {
			continue
		}
		typ := "string"
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int64, reflect.Int32:
			typ = "integer"
		case reflect.Bool:
			typ = "boolean"
		}
		p := map[string]any{"name": name, "in": "query", "schema": map[string]any{"type": typ}}
		if d := f.Tag.Get("doc"); d != "" {
			p["description"] = d
		}
		out = append(out, p)
	}
	return out
}

// OpenAPI builds the document from the table.
func OpenAPI(table []Route) map[string]any {
	g := &schemaGen{components: map[string]any{}}
	errRef := g.schema(reflect.TypeOf(ErrorBody{}))
	paths := map[string]any{}
	for _, r := range table {
		p := OpenAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{"summary": r.Summary, "tags": []string{r.Tag}, "operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(p)}
		var params []any
		for _, m := range paramRE.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if r.Query != nil {
			params = append(params, queryParams(reflect.TypeOf(r.Query))...)
		}
		if r.Idempotent {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string"}, "description": "retries with the same key replay the first response"})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.Body))}}}
		}
		ok := map[string]any{"description": http.StatusText(r.successStatus())}
		switch {
		case r.Raw != "":
			ok["content"] = map[string]any{r.Raw: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case r.Resp != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(r.Resp))}}
		}
		responses := map[string]any{strconv.Itoa(r.successStatus()): ok}
		errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
		responses["default"] = errResp
		op["responses"] = responses
		if !r.Access.Public {
			op["security"] = []any{map[string]any{"session": []string{}}}
			rs := make([]string, len(r.Access.Roles))
			for i, x := range r.Access.Roles {
				rs[i] = string(x)
			}
			op["x-roles"] = rs
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Taxi driver qualification exam platform API", "version": "1",
			"description": "JSON under /api/v1. Errors: {\"error\":{\"code\",\"message\",\"fields\"}} with 400/401/403/404/409/422/423/429. Writes need the X-Requested-With header."},
		"paths": paths,
		"components": map[string]any{
			"schemas":         g.components,
			"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie}},
		},
	}
}

// Document is the OpenAPI document of the route table, built without a
// running server: `examd openapi` writes it, and the web app's API types
// (frontend/src/api/schema.d.ts) are generated from it.
func Document() ([]byte, error) {
	return json.MarshalIndent(OpenAPI((&Server{}).routes()), "", "  ")
}

// openapiDoc renders the document once per server.
type openapiDoc struct {
	once sync.Once
	json []byte
	err  error
}

func (s *Server) openapi(c *gin.Context) {
	s.doc.once.Do(func() { s.doc.json, s.doc.err = json.MarshalIndent(OpenAPI(s.table), "", "  ") })
	if s.doc.err != nil {
		fail(c, s.doc.err)
		return
	}
	c.Data(http.StatusOK, "application/json", s.doc.json)
}
