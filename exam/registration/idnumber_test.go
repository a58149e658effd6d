package registration

import (
	"testing"
	"time"
)

func TestParseIDNumber(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in, reason, sex string
		birth                 string
	}{
		{"valid female", "11010519491231002X", "", "female", "1949-12-31"},
		{"valid with X lower-case", "11010519491231002x", "", "female", "1949-12-31"},
		{"valid male", "35050219900101123X", "", "male", "1990-01-01"},
		{"valid digit check", "350602198506152020", "", "female", "1985-06-15"},
		{"wrong checksum", "350602198506152021", "the check character does not match (GB 11643)", "", ""},
		{"impossible date", "350502199002301234", "the birth date inside it is not a real date", "", ""},
		{"future birth", "350502202712011234", "the birth date inside it is impossible", "", ""},
		{"too short", "35050219900101123", "must be 18 characters", "", ""},
		{"letters", "3505021990O1011230", "the first 17 characters must be digits", "", ""},
		{"bad region", "990502199001011230", "the region code is not valid", "", ""},
		{"bad last char", "35050219900101123Y", "the last character must be a digit or X", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := ParseIDNumber(tt.in, today)
			if reason.Message() != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if tt.reason == "" {
				if got.Sex != tt.sex || got.BirthDate.Format(time.DateOnly) != tt.birth {
					t.Fatalf("got %+v", got)
				}
			}
		})
	}
}
