package cert

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// The QR code of a certificate carries a compact signed token inside a URL
// to the public verify page: PublicURL + VerifyPath + token (a query
// parameter, so the dots of the token never look like a file name), where
//
//	token   = base64url(message) "." keyID "." base64url(signature)
//	message = "TXC1" | id | kind | holder | id number | issued | expires | version
//
// joined by "|", kind T (taxi) or R (ride-hailing), holder and ID number
// masked (张*, 3505**********123X), dates as yyyymmdd. The signature covers
// the message bytes exactly (Ed25519, or SM2 with the 国密 option; the key
// id says which key). Anyone holding the published public keys can check a
// token offline; the verify page adds the live status.

// VerifyPath is the web app's public verify route with its token parameter.
const VerifyPath = "/v?t="

const tokenMagic = "TXC1"

// Signer signs tokens (internal/platform/signing.Keyring).
type Signer interface {
	Sign(msg []byte) (keyID string, sig []byte)
	Verifier
}

// Verifier checks signatures by key id (a Keyring, or a set of published
// public keys for the offline verifier).
type Verifier interface {
	Verify(keyID string, msg, sig []byte) error
}

// Claims is what a token says about a certificate.
type Claims struct {
	CertificateID int64
	Kind          Kind
	Holder        string // masked name
	IDNumber      string // masked ID number
	IssuedOn      time.Time
	ExpiresOn     time.Time
	Version       int
}

const dateDigits = "20060102"

func (c Claims) message() []byte {
	k := "T"
	if c.Kind == KindRideHailing {
		k = "R"
	}
	return []byte(strings.Join([]string{tokenMagic, strconv.FormatInt(c.CertificateID, 10), k, c.Holder, c.IDNumber,
		c.IssuedOn.Format(dateDigits), c.ExpiresOn.Format(dateDigits), strconv.Itoa(c.Version)}, "|"))
}

// maxToken bounds what is parsed at all (a real token is ~150 characters).
const maxToken = 512

// SignToken makes the token of c.
func SignToken(s Signer, c Claims) string {
	msg := c.message()
	kid, sig := s.Sign(msg)
	return base64.RawURLEncoding.EncodeToString(msg) + "." + kid + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// VerifyToken checks a token's signature and shape and returns its claims.
// Anything wrong (truncated, altered, unknown key, bad signature) is
// ErrNotGenuine.
func VerifyToken(v Verifier, token string) (Claims, error) {
	token = strings.TrimSpace(token)
	if i := strings.LastIndex(token, VerifyPath); i >= 0 {
		token = token[i+len(VerifyPath):] // the whole URL was given
	}
	if token == "" || len(token) > maxToken {
		return Claims{}, ErrNotGenuine
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[1] == "" {
		return Claims{}, ErrNotGenuine
	}
	msg, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	sig, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(sig) == 0 {
		return Claims{}, ErrNotGenuine
	}
	if v.Verify(parts[1], msg, sig) != nil {
		return Claims{}, ErrNotGenuine
	}
	c, ok := parseMessage(msg)
	if !ok {
		return Claims{}, ErrNotGenuine
	}
	// A correct signature over a message that re-encodes differently would
	// let two tokens name one certificate: refuse anything non-canonical.
	if !bytes.Equal(c.message(), msg) {
		return Claims{}, ErrNotGenuine
	}
	return c, nil
}

func parseMessage(msg []byte) (Claims, bool) {
	f := strings.Split(string(msg), "|")
	if len(f) != 8 || f[0] != tokenMagic {
		return Claims{}, false
	}
	var c Claims
	var err error
	if c.CertificateID, err = strconv.ParseInt(f[1], 10, 64); err != nil || c.CertificateID <= 0 {
		return Claims{}, false
	}
	switch f[2] {
	case "T":
		c.Kind = KindTaxi
	case "R":
		c.Kind = KindRideHailing
	default:
		return Claims{}, false
	}
	c.Holder, c.IDNumber = f[3], f[4]
	if c.IssuedOn, err = time.Parse(dateDigits, f[5]); err != nil {
		return Claims{}, false
	}
	if c.ExpiresOn, err = time.Parse(dateDigits, f[6]); err != nil {
		return Claims{}, false
	}
	if c.Version, err = strconv.Atoi(f[7]); err != nil || c.Version <= 0 {
		return Claims{}, false
	}
	return c, true
}
