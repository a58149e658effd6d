package apperr

import (
	"fmt"
	"maps"
	"sort"
	"strings"
)

// Reason says why one field's value is not acceptable: a stable code for
// programs (the web app shows its own text for it, in the user's language),
// English text for people and logs, and the parameters the text refers to as
// {name}, e.g. NewReason("max_chars", "at most {n} characters").With("n", 50).
//
// Reasons are values made only by NewReason (its code a string literal), so
// the errcodes test can list every field-error code from the source. Domain
// packages declare theirs as package-level variables; the common ones are
// the functions below.
type Reason struct {
	code   string
	text   string
	params map[string]any
}

// NewReason declares a reason. code is snake_case and part of the API
// contract; text is English and may refer to parameters as {name}.
func NewReason(code, text string) Reason {
	return Reason{code: code, text: text}
}

// Restored rebuilds a Reason a store saved (its Code, Text and Params). The
// code was declared with NewReason when the reason was made; stores only.
func Restored(code, text string, params map[string]any) Reason {
	return Reason{code: code, text: text, params: params}
}

// With returns a copy with one more parameter.
func (r Reason) With(name string, v any) Reason {
	p := make(map[string]any, len(r.params)+1)
	maps.Copy(p, r.params)
	p[name] = v
	r.params = p
	return r
}

// Code is the stable machine code ("" for the zero Reason).
func (r Reason) Code() string { return r.code }

// Params are the values the text refers to; nil when none.
func (r Reason) Params() map[string]any { return r.params }

// Text is the English template, before parameters are filled in.
func (r Reason) Text() string { return r.text }

// IsZero reports the zero Reason (no reason).
func (r Reason) IsZero() bool { return r.code == "" }

// Message is the English text with its parameters filled in.
func (r Reason) Message() string {
	if len(r.params) == 0 {
		return r.text
	}
	names := make([]string, 0, len(r.params))
	for k := range r.params {
		names = append(names, k)
	}
	sort.Strings(names)
	pairs := make([]string, 0, 2*len(names))
	for _, k := range names {
		pairs = append(pairs, "{"+k+"}", fmt.Sprint(r.params[k]))
	}
	return strings.NewReplacer(pairs...).Replace(r.text)
}

func (r Reason) String() string { return r.Message() }

// Common reasons shared by every package.
var (
	reasonRequired        = NewReason("required", "required")
	reasonMaxChars        = NewReason("max_chars", "at most {n} characters")
	reasonMinChars        = NewReason("min_chars", "at least {n} characters")
	reasonCharsBetween    = NewReason("chars_between", "{min} to {max} characters")
	reasonRequiredMax     = NewReason("required_max_chars", "required, at most {n} characters")
	reasonBetween         = NewReason("between", "{min} to {max}")
	reasonOneOf           = NewReason("one_of", "must be one of: {values}")
	reasonPositive        = NewReason("positive_number", "must be a positive number")
	reasonNotNegative     = NewReason("not_negative", "must not be negative")
	reasonBool            = NewReason("true_or_false", "must be true or false")
	reasonDate            = NewReason("date", "must be a date like 2026-11-23")
	reasonDateOrTime      = NewReason("date_or_time", "must be a date like 2026-11-23 or an RFC 3339 time")
	reasonRFC3339         = NewReason("rfc3339_time", "must be an RFC 3339 time like 2026-11-23T09:00:00+08:00")
	reasonNotBeforeFrom   = NewReason("not_before_from", "must not be before from")
	reasonAfterFrom       = NewReason("after_from", "must be after from")
	reasonFuture          = NewReason("in_future", "must be in the future")
	reasonMobile          = NewReason("mobile", "must be an 11-digit mainland mobile number")
	reasonIDNumber18      = NewReason("id_number_18", "the full 18-character ID number")
	reasonUnknownField    = NewReason("unknown_field", "unknown field")
	reasonUTF8            = NewReason("utf8", "must be valid UTF-8 text")
	reasonControlChars    = NewReason("control_chars", "must not contain control characters")
	reasonWholeNumber     = NewReason("whole_number_between", "must be a whole number from {min} to {max}")
	reasonUnknownStatus   = NewReason("unknown_status", "unknown status")
	reasonAtMostOneYear   = NewReason("within_a_year", "at most one year at a time")
	reasonAlreadyUsed     = NewReason("already_used", "already used")
	reasonDuplicateStem   = NewReason("duplicate_stem", "duplicate stem")
	reasonUnknownChapter  = NewReason("unknown_chapter", "unknown chapter")
	reasonSixDigitsSMS    = NewReason("six_digits", "must be 6 digits")
	reasonUnknownTemplate = NewReason("unknown_template", "unknown template")
)

// Required: the field is missing or empty.
func Required() Reason { return reasonRequired }

// MaxChars: longer than n characters.
func MaxChars(n int) Reason { return reasonMaxChars.With("n", n) }

// MinChars: shorter than n characters.
func MinChars(n int) Reason { return reasonMinChars.With("n", n) }

// CharsBetween: the length must be min to max characters.
func CharsBetween(min, max int) Reason { return reasonCharsBetween.With("min", min).With("max", max) }

// RequiredMaxChars: required and at most n characters.
func RequiredMaxChars(n int) Reason { return reasonRequiredMax.With("n", n) }

// Between: a number from min to max.
func Between(min, max int) Reason { return reasonBetween.With("min", min).With("max", max) }

// OneOf: one of the listed machine values (shown as they are: they are the
// API's own words, not sentences).
func OneOf(values ...string) Reason { return reasonOneOf.With("values", strings.Join(values, ", ")) }

// Positive: a number above zero.
func Positive() Reason { return reasonPositive }

// NotNegative: zero or more.
func NotNegative() Reason { return reasonNotNegative }

// Bool: true or false.
func Bool() Reason { return reasonBool }

// Date: a calendar date YYYY-MM-DD.
func Date() Reason { return reasonDate }

// DateOrTime: a date or an RFC 3339 time.
func DateOrTime() Reason { return reasonDateOrTime }

// RFC3339: an RFC 3339 time.
func RFC3339() Reason { return reasonRFC3339 }

// NotBeforeFrom: the end of a range is before its start.
func NotBeforeFrom() Reason { return reasonNotBeforeFrom }

// AfterFrom: the end of a range must be after its start.
func AfterFrom() Reason { return reasonAfterFrom }

// Future: a time that must be in the future.
func Future() Reason { return reasonFuture }

// Mobile: an 11-digit mainland mobile number.
func Mobile() Reason { return reasonMobile }

// IDNumber18: the full 18-character ID number.
func IDNumber18() Reason { return reasonIDNumber18 }

// UnknownField: the body has a field the route does not take.
func UnknownField() Reason { return reasonUnknownField }

// UTF8: the text is not valid UTF-8.
func UTF8() Reason { return reasonUTF8 }

// ControlChars: the text contains control characters.
func ControlChars() Reason { return reasonControlChars }

// WholeNumber: a whole number from min to max.
func WholeNumber(min, max int) Reason { return reasonWholeNumber.With("min", min).With("max", max) }

// UnknownStatus: not one of the statuses.
func UnknownStatus() Reason { return reasonUnknownStatus }

// WithinAYear: a date range longer than a year.
func WithinAYear() Reason { return reasonAtMostOneYear }

// AlreadyUsed: the value is taken.
func AlreadyUsed() Reason { return reasonAlreadyUsed }

// DuplicateStem: another question has this stem.
func DuplicateStem() Reason { return reasonDuplicateStem }

// UnknownChapter: no such chapter.
func UnknownChapter() Reason { return reasonUnknownChapter }

// SixDigits: a 6-digit code.
func SixDigits() Reason { return reasonSixDigitsSMS }

// UnknownTemplate: no such SMS template.
func UnknownTemplate() Reason { return reasonUnknownTemplate }
