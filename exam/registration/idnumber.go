package registration

import (
	"taxiexam/internal/platform/apperr"

	"strings"
	"time"
)

// IDNumber is a parsed GB 11643 resident identity number.
type IDNumber struct {
	Number    string    // 18 characters, check character upper-case
	BirthDate time.Time // civil date (UTC midnight)
	Sex       string    // "male" | "female" (17th digit odd = male)
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// Province-level region codes (the first two digits) in use.
var idProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// IDCheckChar computes the GB 11643 check character of the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// ParseIDNumber validates s as an 18-character GB 11643 number as of today
// (a civil date): shape, region, a real birth date not in the future, and
// the check character. The reason is the zero Reason when the number is good.
func ParseIDNumber(s string, today time.Time) (IDNumber, apperr.Reason) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return IDNumber{}, rsnMustBe18Characters
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return IDNumber{}, rsnIDFirst17Digits
		}
	}
	if c := s[17]; (c < '0' || c > '9') && c != 'X' {
		return IDNumber{}, rsnIDLastDigitOrX
	}
	if !idProvinces[s[:2]] {
		return IDNumber{}, rsnIDRegion
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil {
		return IDNumber{}, rsnIDBirthNotADate
	}
	if birth.Year() < 1900 || birth.After(today) {
		return IDNumber{}, rsnIDBirthImpossible
	}
	if IDCheckChar(s[:17]) != s[17] {
		return IDNumber{}, rsnIDCheckChar
	}
	sex := "female"
	if (s[16]-'0')%2 == 1 {
		sex = "male"
	}
	return IDNumber{Number: s, BirthDate: birth, Sex: sex}, apperr.Reason{}
}
