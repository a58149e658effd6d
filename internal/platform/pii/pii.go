// Package pii protects personal data at rest: AES-256-GCM encryption with the
// key id stored beside each value (so keys can rotate), a keyed blind index
// (HMAC-SHA256) for equality look-ups and uniqueness, and masking for display.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Protector encrypts and indexes personal data.
type Protector struct {
	active string
	aeads  map[string]cipher.AEAD
	bidx   []byte
}

// ErrUnknownKey means a value was encrypted with a key this node lacks.
var ErrUnknownKey = errors.New("pii: value encrypted with an unknown key id")

// New parses "id:base64,id2:base64" (the first is active for new values) and
// a base64 blind-index key of at least 32 bytes.
func New(dataKeys, blindIndexKey string) (*Protector, error) {
	p := &Protector{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(dataKeys, ",") {
		part = strings.TrimSpace(part)
		id, b64, ok := strings.Cut(part, ":")
		if !ok || id == "" || strings.ContainsAny(id, ".: ") {
			return nil, fmt.Errorf("data key %d: want id:base64", i+1)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("data key %q: want base64 of exactly 32 bytes", id)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := p.aeads[id]; dup {
			return nil, fmt.Errorf("data key id %q given twice", id)
		}
		p.aeads[id] = aead
		if i == 0 {
			p.active = id
		}
	}
	k, err := base64.StdEncoding.DecodeString(blindIndexKey)
	if err != nil || len(k) < 32 {
		return nil, errors.New("blind index key: want base64 of at least 32 bytes")
	}
	p.bidx = k
	return p, nil
}

// NewKey returns a fresh random key in base64, for generation and tests.
func NewKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Encrypt returns "keyid.base64(nonce|ciphertext)". The empty string stays
// empty so optional fields need no special case.
func (p *Protector) Encrypt(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	aead := p.aeads[p.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	// The key id is authenticated data: a value cannot be moved to another key.
	ct := aead.Seal(nonce, nonce, []byte(plain), []byte(p.active))
	return p.active + "." + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Decrypt reverses Encrypt with whichever key the value names.
func (p *Protector) Decrypt(stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	id, b64, ok := strings.Cut(stored, ".")
	if !ok {
		return "", errors.New("pii: malformed ciphertext")
	}
	aead, ok := p.aeads[id]
	if !ok {
		return "", ErrUnknownKey
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("pii: malformed ciphertext")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", fmt.Errorf("pii: %w", err)
	}
	return string(plain), nil
}

// NeedsRotation reports whether stored was encrypted with an old key.
func (p *Protector) NeedsRotation(stored string) bool {
	return stored != "" && !strings.HasPrefix(stored, p.active+".")
}

// BlindIndex is a keyed hash for equality look-ups. kind separates domains
// ("phone", "id_number") so equal strings of different kinds do not collide.
// Values are normalised (trimmed, upper-cased) first.
func (p *Protector) BlindIndex(kind, value string) string {
	m := hmac.New(sha256.New, p.bidx)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(value))))
	return hex.EncodeToString(m.Sum(nil))
}
