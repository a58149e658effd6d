package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryUpgradeIsTested is the guard: every migration after the first
// of its store needs an upgrade test, a testenv.Upgrade{ID: n, ...} in some
// _test.go file of the module (found by parsing, so the list cannot be
// kept by hand and lie).
func TestEveryUpgradeIsTested(t *testing.T) {
	tested := upgradeTests(t)
	known := map[int]bool{}
	for _, store := range byStore() {
		for i, m := range store {
			known[m.ID] = true
			if i > 0 && tested[m.ID] == "" {
				t.Errorf("migration %d %q has no upgrade test: add testenv.CheckUpgrade(t, Migrations(), testenv.Upgrade{ID: %d, ...}) next to it", m.ID, m.Name, m.ID)
			}
		}
	}
	for id, at := range tested {
		if !known[id] {
			t.Errorf("%s: upgrade test of migration %d, which is not in the list", at, id)
		}
	}
}

// upgradeTests maps each migration ID named by a testenv.Upgrade literal
// to the file that names it.
func upgradeTests(t *testing.T) map[int]string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	found := map[int]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "frontend" || n == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Upgrade" || !isIdent(sel.X, "testenv") {
				return true
			}
			for _, e := range lit.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "ID") {
					if v, ok := kv.Value.(*ast.BasicLit); ok && v.Kind == token.INT {
						id, _ := strconv.ParseInt(v.Value, 0, 64) // a valid INT token parses
						rel, _ := filepath.Rel(root, path)
						found[int(id)] = rel
					} else {
						t.Errorf("%s: testenv.Upgrade's ID must be a literal number (the guard reads it)", fset.Position(kv.Pos()))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no testenv.Upgrade literal found anywhere: has the helper been renamed?")
	}
	return found
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
