package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"taxiexam/internal/platform/apperr"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's 19 MiB / t=2 / p=1 minimum, a fair cost on a
// 2-core node serving many logins.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash with its parameters.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares in constant time using the parameters in encoded.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when the username does not exist, so both
// paths take the same time.
var dummyHash, _ = HashPassword("not-a-real-password")

// ValidatePassword enforces the staff password policy.
// The error is an invalid_input error naming the field password.
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < 10 {
		return apperr.Invalid(apperr.Fields{"password": rsnPasswordTooShort.With("n", 10)})
	}
	var classes int
	for _, f := range []func(rune) bool{unicode.IsUpper, unicode.IsLower, unicode.IsDigit, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }} {
		if strings.IndexFunc(pw, f) >= 0 {
			classes++
		}
	}
	if classes < 3 {
		return apperr.Invalid(apperr.Fields{"password": rsnPasswordClasses})
	}
	return nil
}

// RandomPassword returns a password that satisfies the policy.
func RandomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "Ex-" + base64.RawURLEncoding.EncodeToString(b) + "9a"
}
