// Package archrules makes the dependency rule of docs/architecture.md
// executable: its test lists every package of the module with `go list` and
// fails on an import the rule forbids. The rule is data here (Check), so
// its own test can show that each kind of violation is caught.
package archrules

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Module is the module path every package name starts with.
const Module = "taxiexam"

// Package is one package and what it imports (test files excluded: tests
// may reach for the real database and Redis).
type Package struct {
	Path    string
	Imports []string
}

// Violation is one forbidden import.
type Violation struct {
	Package, Import, Rule string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s imports %s: %s", v.Package, v.Import, v.Rule)
}

// ginFloorTools may import gin without being the api package: load tools
// that measure a bare Gin handler as the floor beside the real API.
func ginFloorTool(p string) bool {
	return strings.HasPrefix(p, Module+"/cmd/") && strings.HasSuffix(p, "bench")
}

var domainRoots = []string{"exam/", "question-bank", "cert", "internal/auth", "internal/audit", "internal/notify", "internal/statistics", "internal/ledger", "internal/archive"}

// Adapter reports whether p is a store or infrastructure adapter of a
// domain (a sibling package named ...db, ...kv, ...fs or ...prom).
func Adapter(p string) bool {
	base := path.Base(p)
	for _, s := range []string{"db", "kv", "fs", "prom"} {
		if strings.HasSuffix(base, s) && base != s {
			return true
		}
	}
	return false
}

// Domain reports whether p is domain code: under a domain root and not an
// adapter.
func Domain(p string) bool {
	rel, ok := strings.CutPrefix(p, Module+"/")
	if !ok || Adapter(p) {
		return false
	}
	for _, r := range domainRoots {
		if rel == strings.TrimSuffix(r, "/") || strings.HasPrefix(rel, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}

func platform(p string) bool { return strings.HasPrefix(p, Module+"/internal/platform/") }

// top is the floor that assembles the product: internal/wiring (with its
// migration list) and the commands over it.
func top(p string) bool {
	return p == Module+"/internal/wiring" || strings.HasPrefix(p, Module+"/internal/wiring/") || strings.HasPrefix(p, Module+"/cmd/")
}

// storeAdapter is an adapter of a domain (not a platform package like sqldb).
func storeAdapter(p string) bool {
	return Adapter(p) && !platform(p) && strings.HasPrefix(p, Module+"/")
}

func infra(imp string) bool {
	return strings.HasPrefix(imp, "github.com/gin-gonic/gin") || strings.HasPrefix(imp, "gorm.io/") ||
		strings.HasPrefix(imp, "github.com/redis/go-redis") ||
		imp == Module+"/internal/platform/sqldb" || imp == Module+"/internal/platform/kv"
}

// Check returns every violation of the dependency rule, sorted.
func Check(pkgs []Package) []Violation {
	var out []Violation
	add := func(p, imp, rule string) { out = append(out, Violation{p, imp, rule}) }
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			switch {
			case strings.HasPrefix(imp, "github.com/gin-gonic/gin") && p.Path != Module+"/api" && !ginFloorTool(p.Path):
				add(p.Path, imp, "only the api package imports gin")
			case Domain(p.Path) && infra(imp):
				add(p.Path, imp, "domain code imports neither gin, gorm, go-redis nor the platform's db/kv packages: declare an interface and let cmd/examd plug in the store")
			case Domain(p.Path) && imp == Module+"/api":
				add(p.Path, imp, "domain code never imports the api package")
			case Domain(p.Path) && Adapter(imp):
				add(p.Path, imp, "domain code never imports a store adapter (its own or another domain's)")
			case Adapter(p.Path) && imp == Module+"/api":
				add(p.Path, imp, "stores never import the api package")
			case (imp == Module+"/internal/wiring" || strings.HasPrefix(imp, Module+"/internal/wiring/")) && !top(p.Path):
				add(p.Path, imp, "internal/wiring (and its migration list) is the top floor: only cmd/ imports it")
			case storeAdapter(imp) && !top(p.Path) && !storeAdapter(p.Path):
				add(p.Path, imp, "store adapters are plugged in by the wiring: only internal/wiring and cmd/ import them")
			case platform(p.Path) && strings.HasPrefix(imp, Module+"/") && !platform(imp) && imp != Module+"/configs":
				add(p.Path, imp, "internal/platform is the lowest floor: it imports only configs and other platform packages")
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
