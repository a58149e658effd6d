package archrules

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
)

// TestModuleFollowsTheDependencyRule is the guardrail: it fails on any
// forbidden import anywhere in the module.
func TestModuleFollowsTheDependencyRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, Module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []Package
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkgs = append(pkgs, Package{Path: f[0], Imports: f[1:]})
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	domains := 0
	for _, p := range pkgs {
		if Domain(p.Path) {
			domains++
		}
	}
	if domains < 5 {
		t.Fatalf("only %d domain packages recognised; has the layout changed?", domains)
	}
	for _, v := range Check(pkgs) {
		t.Error(v)
	}
}

func TestCheckCatchesEachViolation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pkg, imp string
		want     bool
	}{
		{"domain imports gorm", "taxiexam/exam/booking", "gorm.io/gorm", true},
		{"domain imports go-redis", "taxiexam/cert", "github.com/redis/go-redis/v9", true},
		{"domain imports sqldb", "taxiexam/internal/auth", "taxiexam/internal/platform/sqldb", true},
		{"domain imports kv", "taxiexam/question-bank", "taxiexam/internal/platform/kv", true},
		{"domain imports api", "taxiexam/exam/attempt", "taxiexam/api", true},
		{"domain imports another domain's store", "taxiexam/exam/booking", "taxiexam/exam/registration/registrationdb", true},
		{"store imports gin", "taxiexam/exam/booking/bookingdb", "github.com/gin-gonic/gin", true},
		{"cmd imports gin", "taxiexam/cmd/examd", "github.com/gin-gonic/gin", true},
		{"platform imports a domain", "taxiexam/internal/platform/pii", "taxiexam/internal/auth", true},
		{"platform imports schema", "taxiexam/internal/platform/testenv", "taxiexam/internal/wiring/schema", true},
		{"api imports a store", "taxiexam/api", "taxiexam/exam/booking/bookingdb", true},
		{"api imports the wiring", "taxiexam/api", "taxiexam/internal/wiring", true},
		{"domain imports the migration list", "taxiexam/exam/booking", "taxiexam/internal/wiring/schema", true},
		{"store imports the migration list", "taxiexam/cert/certdb", "taxiexam/internal/wiring/schema", true},
		{"api imports gin", "taxiexam/api", "github.com/gin-gonic/gin", false},
		{"examd imports the wiring", "taxiexam/cmd/examd", "taxiexam/internal/wiring", false},
		{"wiring imports a store", "taxiexam/internal/wiring", "taxiexam/exam/booking/bookingdb", false},
		{"migration list imports a store", "taxiexam/internal/wiring/schema", "taxiexam/cert/certdb", false},
		{"bench imports a store", "taxiexam/cmd/bookingbench", "taxiexam/exam/booking/bookingdb", false},
		{"bench floor imports gin", "taxiexam/cmd/practicebench", "github.com/gin-gonic/gin", false},
		{"store imports gorm", "taxiexam/exam/booking/bookingdb", "gorm.io/gorm", false},
		{"domain imports another domain", "taxiexam/exam/attempt", "taxiexam/question-bank", false},
		{"platform imports configs", "taxiexam/internal/platform/kv", "taxiexam/configs", false},
		{"platform imports platform", "taxiexam/internal/platform/testenv", "taxiexam/internal/platform/pii", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := len(Check([]Package{{Path: tc.pkg, Imports: []string{tc.imp}}})) > 0
			if got != tc.want {
				t.Fatalf("%s -> %s: violation=%v, want %v", tc.pkg, tc.imp, got, tc.want)
			}
		})
	}
}
