package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

// TOTP as RFC 6238 defines it on top of HOTP (RFC 4226). The second factor
// uses the parameters every authenticator app understands: SHA-1, 6 digits,
// 30-second steps; the other algorithms exist for the RFC's test vectors.

// TOTPStep is the length of one time step.
const TOTPStep = 30 * time.Second

// totpDigits is the length of a code.
const totpDigits = 6

// totpSkew is how many steps before and after now a code is accepted
// (clock drift of a phone).
const totpSkew = 1

// HOTPAlgorithm names the HMAC hash of a TOTP.
type HOTPAlgorithm string

const (
	HOTPSHA1   HOTPAlgorithm = "SHA1"
	HOTPSHA256 HOTPAlgorithm = "SHA256"
	HOTPSHA512 HOTPAlgorithm = "SHA512"
)

func (a HOTPAlgorithm) hash() func() hash.Hash {
	switch a {
	case HOTPSHA256:
		return sha256.New
	case HOTPSHA512:
		return sha512.New
	default:
		return sha1.New
	}
}

// HOTP is RFC 4226: HMAC of the 8-byte counter, dynamic truncation, the
// last `digits` decimal digits.
func HOTP(key []byte, counter uint64, digits int, alg HOTPAlgorithm) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(alg.hash(), key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for i := 0; i < digits; i++ {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPCounter is the time step t falls in (RFC 6238: T0 = 0, X = 30 s).
func TOTPCounter(t time.Time) int64 { return t.Unix() / int64(TOTPStep/time.Second) }

// TOTP is the code of time t.
func TOTP(key []byte, t time.Time, digits int, alg HOTPAlgorithm) string {
	return HOTP(key, uint64(TOTPCounter(t)), digits, alg)
}

// matchTOTP returns the step whose code is code, within totpSkew steps of
// now, or false. Comparisons take the same time whatever matches.
func matchTOTP(key []byte, code string, now time.Time) (int64, bool) {
	cur := TOTPCounter(now)
	found, step := 0, int64(0)
	for d := -totpSkew; d <= totpSkew; d++ {
		c := cur + int64(d)
		if hmac.Equal([]byte(HOTP(key, uint64(c), totpDigits, HOTPSHA1)), []byte(code)) {
			found, step = 1, c
		}
	}
	return step, found == 1
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret is 20 random bytes (160 bits, RFC 4226's recommendation).
func newTOTPSecret() ([]byte, error) {
	b := make([]byte, 20)
	_, err := rand.Read(b)
	return b, err
}

// SecretText is a secret as people type it into an app: base32 in groups of 4.
func SecretText(key []byte) string {
	s := b32.EncodeToString(key)
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// OTPAuthURI is the otpauth:// link an enrolment QR code carries (the
// Key Uri Format authenticator apps read).
func OTPAuthURI(issuer, account string, key []byte) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{}
	q.Set("secret", b32.EncodeToString(key))
	q.Set("issuer", issuer)
	q.Set("algorithm", string(HOTPSHA1))
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(int(TOTPStep/time.Second)))
	return "otpauth://totp/" + label + "?" + q.Encode()
}
