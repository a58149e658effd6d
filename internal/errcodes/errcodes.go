// Package errcodes knows every error code and field-error (reason) code the
// server can produce, and the web app's texts for them.
//
// The codes are read from the source, not kept by hand: every apperr.New
// call gives an error code and every apperr.NewReason call a reason code,
// each as a string literal (Scan fails on anything else). The texts are the
// web app's translation tables, frontend/src/i18n/errors/{zh-CN,en}.json,
// embedded here so the server can also write reports (import errors) in the
// language of the person who asked. The test in this package fails when a
// table lacks a text for a code.
package errcodes

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"taxiexam/frontend"
	"taxiexam/internal/platform/apperr"
)

// Languages are the languages every code needs a text in.
var Languages = []string{"zh-CN", "en"}

// Code is one code found in the source.
type Code struct {
	Code   string
	Reason bool   // a field-error reason (apperr.NewReason) rather than an error code (apperr.New)
	Text   string // the English text given with it in Go
	Pos    string // file:line of one declaration
}

// Scan parses every non-test Go file under root (the module root) and
// returns the codes declared with apperr.New and apperr.NewReason, sorted.
// A call whose code is not a string literal is an error: it would hide a
// code from this list.
func Scan(root string) ([]Code, error) {
	fset := token.NewFileSet()
	seen := map[string]Code{}
	var problems []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", ".git", ".tmp", "dist", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inApperr := f.Name.Name == "apperr"
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok && isErrorType(lit.Type, inApperr) {
				for _, el := range lit.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						v, isParam := kv.Value.(*ast.Ident)
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" && !(inApperr && isParam && v.Name == "code") { // New itself
							pos := fset.Position(lit.Pos())
							problems = append(problems, fmt.Sprintf("%s:%d: an apperr.Error literal sets Code; make the error with apperr.New", pos.Filename, pos.Line))
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "apperr" {
					name = fn.Sel.Name
				}
			case *ast.Ident:
				if inApperr {
					name = fn.Name
				}
			}
			idx, reason := 0, false
			switch name {
			case "New":
				idx = 1
			case "NewReason":
				reason = true
			default:
				return true
			}
			pos := fset.Position(call.Pos())
			rel, _ := filepath.Rel(root, pos.Filename)
			at := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), pos.Line)
			if len(call.Args) <= idx+1 {
				problems = append(problems, at+": apperr."+name+" with too few arguments")
				return true
			}
			code, ok1 := literal(call.Args[idx])
			text, _ := literal(call.Args[idx+1])
			if !ok1 || code == "" {
				problems = append(problems, at+": the code of apperr."+name+" must be a non-empty string literal")
				return true
			}
			key := kindKey(reason, code)
			if prev, dup := seen[key]; dup {
				if reason && prev.Text != text {
					problems = append(problems, fmt.Sprintf("%s: reason %q is declared again with another text (first at %s)", at, code, prev.Pos))
				}
				return true
			}
			seen[key] = Code{Code: code, Reason: reason, Text: text, Pos: at}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("errcodes: %s", strings.Join(problems, "; "))
	}
	out := make([]Code, 0, len(seen))
	for _, c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Reason != out[j].Reason {
			return !out[i].Reason
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

func isErrorType(e ast.Expr, inApperr bool) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return inApperr && t.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "apperr" && t.Sel.Name == "Error"
	}
	return false
}

func kindKey(reason bool, code string) string {
	if reason {
		return "reason:" + code
	}
	return "error:" + code
}

func literal(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// Table is one language's texts: error code -> text and reason code -> text
// (which may refer to the reason's params as {name}). Params translates
// parameter values that are codes themselves (e.g. a pledge item), by
// parameter name then value.
type Table struct {
	Errors  map[string]string            `json:"errors"`
	Reasons map[string]string            `json:"reasons"`
	Params  map[string]map[string]string `json:"params"`
}

// Load reads one language's table from the web app's embedded tables.
func Load(lang string) (Table, error) {
	b, err := fs.ReadFile(frontend.ErrorTexts, "src/i18n/errors/"+lang+".json")
	if err != nil {
		return Table{}, err
	}
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return Table{}, fmt.Errorf("errcodes: %s.json: %w", lang, err)
	}
	return t, nil
}

// Lang picks a supported language from a lang parameter or an
// Accept-Language header value: en when it asks for English first, else zh-CN.
func Lang(values ...string) string {
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			continue
		}
		first := strings.TrimSpace(strings.SplitN(strings.SplitN(v, ",", 2)[0], ";", 2)[0])
		if strings.HasPrefix(first, "en") {
			return "en"
		}
		return "zh-CN"
	}
	return "zh-CN"
}

// Translator turns reasons into one language's text.
type Translator struct {
	t Table
}

// NewTranslator loads lang's table (zh-CN when lang is unknown).
func NewTranslator(lang string) (Translator, error) {
	if lang != "en" {
		lang = "zh-CN"
	}
	t, err := Load(lang)
	return Translator{t: t}, err
}

// Reason is r's text in the translator's language, its params filled in;
// r's English message when the table has no text for its code.
func (tr Translator) Reason(r apperr.Reason) string {
	text, ok := tr.t.Reasons[r.Code()]
	if !ok {
		return r.Message()
	}
	for k, v := range r.Params() {
		s := fmt.Sprint(v)
		if m, ok := tr.t.Params[k]; ok {
			if x, ok := m[s]; ok {
				s = x
			}
		}
		text = strings.ReplaceAll(text, "{"+k+"}", s)
	}
	return text
}

// Error is the text of an error code, or fallback.
func (tr Translator) Error(code, fallback string) string {
	if s, ok := tr.t.Errors[code]; ok {
		return s
	}
	return fallback
}

// ModuleRoot finds the directory of go.mod from dir upwards (for tests and tools).
func ModuleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("errcodes: no go.mod above %s", dir)
		}
	}
}
