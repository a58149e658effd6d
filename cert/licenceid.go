package cert

import (
	"fmt"
	"strings"
)

// The e-licence identifier (电子证照标识) of GB/T 36904-2018 is five fields
// joined by dots:
//
//	<licence type code>.<issuer code>.<serial>.<version>.<check>
//	1.2.156.3005.2.11100000000019713D075.11350200MB0000000X.2026000000042.001.K
//
// The type code is the national catalogue's code of the licence type (the
// OID arc 1.2.156.3005.2 plus the defining ministry's code and a sequence:
// ...D075 巡游出租汽车驾驶员从业资格证, ...D072 网络预约出租汽车驾驶员证);
// the issuer code is the issuing authority's 18-character unified social
// credit code; the serial is unique per type and issuer; the version counts
// replacements and reissues from 001. The check character is ISO/IEC 7064
// MOD 37,36 over the letters and digits of the first four fields (the dots
// carry no information and are outside the character set).

// mod3736Alphabet is the character set of ISO/IEC 7064 MOD 37,36: the value
// of a character is its index.
const mod3736Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Mod3736 returns the ISO/IEC 7064 MOD 37,36 check character of s (letters
// and digits; lower case is read as upper case) and false when s holds any
// other character.
//
// The hybrid system with M = 36: P starts at M; for each character
// S = (P + value) mod M, 0 read as M; P = 2S mod (M+1). The check character
// is the one that makes the final S equal 1: (M + 1 - P) mod M.
func Mod3736(s string) (byte, bool) {
	const m = 36
	p := m
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(mod3736Alphabet, upper(s[i]))
		if v < 0 {
			return 0, false
		}
		sum := (p + v) % m
		if sum == 0 {
			sum = m
		}
		p = (2 * sum) % (m + 1)
	}
	return mod3736Alphabet[(m+1-p)%m], true
}

// Mod3736Valid reports whether the last character of s is the MOD 37,36
// check character of the rest.
func Mod3736Valid(s string) bool {
	if len(s) < 2 {
		return false
	}
	c, ok := Mod3736(s[:len(s)-1])
	return ok && c == upper(s[len(s)-1])
}

func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

// LicenceID is an e-licence identifier's fields.
type LicenceID struct {
	TypeCode   string // e.g. 1.2.156.3005.2.11100000000019713D075
	IssuerCode string // 18-character unified social credit code
	Serial     string // digits, unique per type and issuer
	Version    int    // 1, 2, ... (printed as 001)
}

// String formats the identifier with its check character.
func (l LicenceID) String() string {
	body := fmt.Sprintf("%s.%s.%s.%03d", l.TypeCode, l.IssuerCode, l.Serial, l.Version)
	c, _ := Mod3736(strings.ReplaceAll(body, ".", ""))
	return body + "." + string(c)
}

// ValidLicenceID checks an identifier's shape and check character.
func ValidLicenceID(s string) bool {
	body, check, ok := cutLast(s, ".")
	if !ok || len(check) != 1 || strings.Count(body, ".") < 3 {
		return false
	}
	c, ok := Mod3736(strings.ReplaceAll(body, ".", ""))
	return ok && c == upper(check[0])
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
