package questionbank

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"taxiexam/internal/platform/apperr"
)

// Limits on question content.
const (
	MaxStemRunes        = 500
	MaxOptionRunes      = 200
	MaxExplanationRunes = 1000
	MaxTags             = 10
	MaxTagRunes         = 20
)

var optionKeys = []string{"A", "B", "C", "D"}

// NormalizeStem is the form duplicate detection compares: no whitespace,
// full-width punctuation folded, lower case.
func NormalizeStem(stem string) string {
	var b strings.Builder
	for _, r := range stem {
		if unicode.IsSpace(r) {
			continue
		}
		switch r {
		case '（':
			r = '('
		case '）':
			r = ')'
		case '，':
			r = ','
		case '？':
			r = '?'
		case '：':
			r = ':'
		case '。':
			r = '.'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// FoldOption is the form two options of a question are compared in: as
// NormalizeStem after Unicode NFKC, so "１２０ｋｍ／ｈ" repeats "120km/h".
// (Stems keep NormalizeStem alone: their stored hashes depend on it.)
func FoldOption(text string) string { return NormalizeStem(norm.NFKC.String(text)) }

// StemHash is the duplicate-detection key of a stem.
func StemHash(stem string) string {
	s := sha256.Sum256([]byte(NormalizeStem(stem)))
	return hex.EncodeToString(s[:16])
}

// normalize tidies the content in place (trims, sorts the answer, fills
// true/false options, upper-cases keys, defaults).
func normalize(q *Question) {
	q.Stem = strings.TrimSpace(q.Stem)
	q.Explanation = strings.TrimSpace(q.Explanation)
	if q.Context == "" {
		q.Context = ContextBoth
	}
	if q.Difficulty == 0 {
		q.Difficulty = 2
	}
	if q.Type == TypeTrueFalse && len(q.Options) == 0 {
		q.Options = []Option{{Key: "A", Text: TrueText}, {Key: "B", Text: FalseText}}
	}
	opts := q.Options[:0:0]
	for _, o := range q.Options {
		o.Key = strings.ToUpper(strings.TrimSpace(o.Key))
		o.Text = strings.TrimSpace(o.Text)
		opts = append(opts, o)
	}
	q.Options = opts
	ans := make([]string, 0, len(q.Answer))
	for _, a := range q.Answer {
		a = strings.ToUpper(strings.TrimSpace(a))
		if a != "" && !slices.Contains(ans, a) {
			ans = append(ans, a)
		}
	}
	slices.Sort(ans)
	q.Answer = ans
	tags := make([]string, 0, len(q.Tags))
	for _, t := range q.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	q.Tags = tags
}

// validateContent checks a question's content; chapters maps chapter id to
// chapter. Reasons are keyed by field name (stem, options, answer, ...).
func validateContent(q Question, chapters map[int64]Chapter) apperr.Fields {
	f := apperr.Fields{}
	f.Check(q.Subject.Valid(), "subject", "must be national or regional")
	if c, ok := chapters[q.ChapterID]; !ok {
		f.Add("chapter_id", "unknown chapter")
	} else if q.Subject.Valid() && c.Subject != q.Subject {
		f.Add("chapter_id", "the chapter belongs to the other subject")
	}
	f.Check(q.Type.Valid(), "type", "must be true_false, single or multiple")
	n := len([]rune(q.Stem))
	f.Check(n > 0, "stem", "required")
	f.Check(n <= MaxStemRunes, "stem", "at most 500 characters")
	f.Check(len([]rune(q.Explanation)) <= MaxExplanationRunes, "explanation", "at most 1000 characters")
	f.Check(q.Difficulty >= 1 && q.Difficulty <= 5, "difficulty", "must be 1 to 5")
	f.Check(q.Context == ContextBoth || q.Context == ContextTaxi || q.Context == ContextRideHailing, "context", "must be both, taxi or ride_hailing")
	f.Check(len(q.Tags) <= MaxTags, "tags", "at most 10 tags")
	for _, t := range q.Tags {
		f.Check(len([]rune(t)) <= MaxTagRunes, "tags", "a tag has at most 20 characters")
	}
	validateOptions(q, f)
	return f
}

func validateOptions(q Question, f apperr.Fields) {
	switch q.Type {
	case TypeTrueFalse:
		ok := len(q.Options) == 2 && q.Options[0].Key == "A" && q.Options[0].Text == TrueText && q.Options[1].Key == "B" && q.Options[1].Text == FalseText
		f.Check(ok, "options", "a true/false question has exactly A=正确 and B=错误")
	case TypeSingle, TypeMultiple:
		min := 2
		if q.Type == TypeMultiple {
			min = 3
		}
		if len(q.Options) < min || len(q.Options) > 4 {
			f.Add("options", "needs "+map[QuestionType]string{TypeSingle: "2", TypeMultiple: "3"}[q.Type]+" to 4 options")
		}
		seen := map[string]bool{}
		for i, o := range q.Options {
			if i < len(optionKeys) && o.Key != optionKeys[i] {
				f.Add("options", "option keys must be A, B, C, D in order")
			}
			if o.Text == "" {
				f.Add("options", "option "+o.Key+" is empty")
			}
			if len([]rune(o.Text)) > MaxOptionRunes {
				f.Add("options", "option "+o.Key+" is longer than 200 characters")
			}
			t := FoldOption(o.Text)
			if seen[t] {
				f.Add("options", "option "+o.Key+" repeats another option")
			}
			seen[t] = true
		}
	default:
		return
	}
	keys := map[string]bool{}
	for _, o := range q.Options {
		keys[o.Key] = true
	}
	switch {
	case len(q.Answer) == 0:
		f.Add("answer", "no correct option given")
	case q.Type != TypeMultiple && len(q.Answer) > 1:
		f.Add("answer", "a "+string(q.Type)+" question has exactly one correct option")
	case q.Type == TypeMultiple && len(q.Answer) < 2:
		f.Add("answer", "a multiple-choice question has at least two correct options")
	case q.Type == TypeMultiple && len(q.Answer) == len(q.Options):
		f.Add("answer", "a multiple-choice question needs at least one wrong option")
	}
	for _, a := range q.Answer {
		if !keys[a] {
			f.Add("answer", "answer "+a+" is not among the options")
		}
	}
}

// SortedKeys returns option keys in letter order, each once ("DCA" is shown
// as "ACD"): the form every answer a person reads is in, whatever order the
// options were shown or tapped in.
func SortedKeys(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
