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
	f.Check(q.Subject.Valid(), "subject", apperr.OneOf("national", "regional"))
	if c, ok := chapters[q.ChapterID]; !ok {
		f.Add("chapter_id", apperr.UnknownChapter())
	} else if q.Subject.Valid() && c.Subject != q.Subject {
		f.Add("chapter_id", rsnTheChapterBelongsToTheOther)
	}
	f.Check(q.Type.Valid(), "type", apperr.OneOf("true_false", "single", "multiple"))
	n := len([]rune(q.Stem))
	f.Check(n > 0, "stem", apperr.Required())
	f.Check(n <= MaxStemRunes, "stem", apperr.MaxChars(500))
	f.Check(len([]rune(q.Explanation)) <= MaxExplanationRunes, "explanation", apperr.MaxChars(1000))
	f.Check(q.Difficulty >= 1 && q.Difficulty <= 5, "difficulty", apperr.Between(1, 5))
	f.Check(q.Context == ContextBoth || q.Context == ContextTaxi || q.Context == ContextRideHailing, "context", apperr.OneOf("both", "taxi", "ride_hailing"))
	f.Check(len(q.Tags) <= MaxTags, "tags", rsnAtMost10Tags)
	for _, t := range q.Tags {
		f.Check(len([]rune(t)) <= MaxTagRunes, "tags", rsnATagHasAtMost20)
	}
	validateOptions(q, f)
	return f
}

func validateOptions(q Question, f apperr.Fields) {
	switch q.Type {
	case TypeTrueFalse:
		ok := len(q.Options) == 2 && q.Options[0].Key == "A" && q.Options[0].Text == TrueText && q.Options[1].Key == "B" && q.Options[1].Text == FalseText
		f.Check(ok, "options", rsnATrueFalseQuestionHasExactly)
	case TypeSingle, TypeMultiple:
		min := 2
		if q.Type == TypeMultiple {
			min = 3
		}
		if len(q.Options) < min || len(q.Options) > 4 {
			f.Add("options", rsnOptionCount.With("min", map[QuestionType]int{TypeSingle: 2, TypeMultiple: 3}[q.Type]))
		}
		seen := map[string]bool{}
		for i, o := range q.Options {
			if i < len(optionKeys) && o.Key != optionKeys[i] {
				f.Add("options", rsnOptionKeysMustBeAB)
			}
			if o.Text == "" {
				f.Add("options", rsnOptionEmpty.With("key", o.Key))
			}
			if len([]rune(o.Text)) > MaxOptionRunes {
				f.Add("options", rsnOptionTooLong.With("key", o.Key))
			}
			t := FoldOption(o.Text)
			if seen[t] {
				f.Add("options", rsnOptionRepeats.With("key", o.Key))
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
		f.Add("answer", rsnNoCorrectOptionGiven)
	case q.Type != TypeMultiple && len(q.Answer) > 1:
		f.Add("answer", rsnOneCorrect)
	case q.Type == TypeMultiple && len(q.Answer) < 2:
		f.Add("answer", rsnAMultipleChoiceQuestionHasAt)
	case q.Type == TypeMultiple && len(q.Answer) == len(q.Options):
		f.Add("answer", rsnAMultipleChoiceQuestionNeedsAt)
	}
	for _, a := range q.Answer {
		if !keys[a] {
			f.Add("answer", rsnAnswerNotOption.With("key", a))
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
