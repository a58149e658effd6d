package errcodes

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"taxiexam/internal/platform/apperr"
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func names(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out[m[1]] = true
	}
	return out
}

// TestEveryCodeHasTexts is the guard of issue 14: every error code
// (apperr.New) and field-error code (apperr.NewReason) in the source has a
// text in every language's table, and a reason's text uses only the
// parameters its Go declaration has.
func TestEveryCodeHasTexts(t *testing.T) {
	codes, err := Scan(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	var nErr, nReason int
	for _, c := range codes {
		if c.Reason {
			nReason++
		} else {
			nErr++
		}
	}
	if nErr < 50 || nReason < 100 {
		t.Fatalf("found only %d error codes and %d reason codes: is the scan broken?", nErr, nReason)
	}
	for _, lang := range Languages {
		tab, err := Load(lang)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, c := range codes {
			section, text := "errors", tab.Errors[c.Code]
			if c.Reason {
				section, text = "reasons", tab.Reasons[c.Code]
			}
			if strings.TrimSpace(text) == "" {
				missing = append(missing, "  "+section+"."+c.Code+"  ("+c.Pos+`: "`+c.Text+`")`)
				continue
			}
			if c.Reason {
				have := names(c.Text)
				for n := range names(text) {
					if !have[n] {
						t.Errorf("%s.json reasons.%s uses {%s}, but the reason declared at %s has no such parameter", lang, c.Code, n, c.Pos)
					}
				}
			}
			if strings.ContainsAny(text, "|@") {
				t.Errorf("%s.json %s.%s: | and @ are vue-i18n syntax; reword %q", lang, section, c.Code, text)
			}
		}
		if len(missing) > 0 {
			t.Errorf("frontend/src/i18n/errors/%s.json has no text for %d code(s) the server can return; add them:\n%s",
				lang, len(missing), strings.Join(missing, "\n"))
		}
	}
}

func TestScanRefusesHiddenCodes(t *testing.T) {
	dir := t.TempDir()
	src := "package x\n\nimport \"taxiexam/internal/platform/apperr\"\n\nvar code = \"c\"\nvar E = apperr.New(apperr.KindConflict, code, \"m\")\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(dir); err == nil || !strings.Contains(err.Error(), "string literal") {
		t.Fatalf("a code in a variable must fail the scan, got %v", err)
	}
	src = "package x\n\nimport \"taxiexam/internal/platform/apperr\"\n\nvar E = apperr.New(apperr.KindConflict, \"e_code\", \"m\")\nvar R = apperr.NewReason(\"r_code\", \"at most {n}\")\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	codes, err := Scan(dir)
	if err != nil || len(codes) != 2 || codes[0].Code != "e_code" || codes[1].Code != "r_code" || !codes[1].Reason {
		t.Fatalf("scan: %+v %v", codes, err)
	}
}

func TestTranslator(t *testing.T) {
	zh, err := NewTranslator("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if got := zh.Reason(apperr.MaxChars(50)); got != "最多 50 个字" {
		t.Fatalf("zh max_chars: %q", got)
	}
	en, _ := NewTranslator("en")
	if got := en.Reason(apperr.MaxChars(50)); got != "at most 50 characters" {
		t.Fatalf("en max_chars: %q", got)
	}
	for in, want := range map[string]string{"": "zh-CN", "en-US,en;q=0.9": "en", "zh-CN,zh;q=0.9,en;q=0.8": "zh-CN", "en": "en", "fr": "zh-CN"} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q)=%q, want %q", in, got, want)
		}
	}
}
