// Package signing signs the compact payloads that leave the server and must
// be checked later by someone holding only public keys: admission tickets
// (checked by the proctor console) and certificates (checked by the public
// verify page and the offline verifier).
//
// Keys are configured as "id:base64(32-byte seed),id2:..." (the first
// signs, every one verifies), so a key rotates by putting a new id in front
// and keeping the old ones for as long as something they signed is still
// in use. The key id travels with each signature. A key is Ed25519 by
// default; "id:sm2:base64(32-byte private key)" is an SM2 key (GB/T 32918,
// the 国密 option; SM3 digest with the default user id), so a deployment
// that must use national algorithms rotates to an SM2 key the same way.
package signing

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownKey means a signature names a key id this keyring does not hold.
var ErrUnknownKey = errors.New("signing: unknown key id")

// ErrBadSignature means the signature does not match the message.
var ErrBadSignature = errors.New("signing: signature does not match")

// Algorithms.
const (
	Ed25519 = "ed25519"
	SM2     = "sm2"
)

// Keyring holds the signing key and every key that still verifies.
type Keyring struct {
	active string
	signer func(msg []byte) []byte
	Verifier
}

// New parses "id:base64seed,id2:sm2:base64key"; the first key signs.
func New(keys string) (*Keyring, error) {
	k := &Keyring{Verifier: Verifier{keys: map[string]PublicKey{}}}
	for i, part := range strings.Split(keys, ",") {
		id, rest, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || strings.ContainsAny(id, ".: ") {
			return nil, fmt.Errorf("signing key %d: want id:base64 or id:sm2:base64", i+1)
		}
		alg, b64 := Ed25519, rest
		if a, b, ok := strings.Cut(rest, ":"); ok {
			alg, b64 = a, b
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("signing key id %q given twice", id)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %q: want base64 of exactly %d bytes", id, ed25519.SeedSize)
		}
		var pub PublicKey
		var sign func([]byte) []byte
		switch alg {
		case Ed25519:
			priv := ed25519.NewKeyFromSeed(raw)
			pub = PublicKey{ID: id, Algorithm: Ed25519, Key: priv.Public().(ed25519.PublicKey)}
			pub.Raw = pub.Key
			sign = func(msg []byte) []byte { return ed25519.Sign(priv, msg) }
		case SM2:
			priv, err := sm2PrivateKey(raw)
			if err != nil {
				return nil, fmt.Errorf("signing key %q: %w", id, err)
			}
			pub = PublicKey{ID: id, Algorithm: SM2, Raw: sm2MarshalPublic(&priv.PublicKey), sm2: &priv.PublicKey}
			sign = func(msg []byte) []byte { return sm2Sign(priv, msg) }
		default:
			return nil, fmt.Errorf("signing key %q: unknown algorithm %q (want ed25519 or sm2)", id, alg)
		}
		k.keys[id] = pub
		k.order = append(k.order, id)
		if i == 0 {
			k.active, k.signer = id, sign
		}
	}
	return k, nil
}

// Sign returns the active key id and the signature of msg.
func (k *Keyring) Sign(msg []byte) (keyID string, sig []byte) {
	return k.active, k.signer(msg)
}

// Algorithm is the active key's algorithm.
func (k *Keyring) Algorithm() string { return k.keys[k.active].Algorithm }

// PublicKey is one verification key, for publishing to offline verifiers.
type PublicKey struct {
	ID        string
	Algorithm string            // ed25519 | sm2
	Key       ed25519.PublicKey // Ed25519 keys only
	Raw       []byte            // the public key: 32 bytes (Ed25519) or 65 (SM2, uncompressed point)
	sm2       *ecdsa.PublicKey
}

// Verifier checks signatures with public keys only: a Keyring's, or a set
// published for offline verification (NewVerifier).
type Verifier struct {
	keys  map[string]PublicKey
	order []string
}

// NewVerifier builds a verifier from published public keys.
func NewVerifier(keys []PublicKey) (*Verifier, error) {
	v := &Verifier{keys: map[string]PublicKey{}}
	for _, p := range keys {
		if p.ID == "" || strings.ContainsAny(p.ID, ".: ") {
			return nil, fmt.Errorf("public key id %q: not a key id", p.ID)
		}
		if _, dup := v.keys[p.ID]; dup {
			return nil, fmt.Errorf("public key id %q given twice", p.ID)
		}
		switch p.Algorithm {
		case Ed25519:
			if len(p.Raw) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("public key %q: want %d bytes", p.ID, ed25519.PublicKeySize)
			}
			p.Key = ed25519.PublicKey(p.Raw)
		case SM2:
			pub, err := sm2ParsePublic(p.Raw)
			if err != nil {
				return nil, fmt.Errorf("public key %q: %w", p.ID, err)
			}
			p.sm2 = pub
		default:
			return nil, fmt.Errorf("public key %q: unknown algorithm %q", p.ID, p.Algorithm)
		}
		v.keys[p.ID] = p
		v.order = append(v.order, p.ID)
	}
	return v, nil
}

// Verify checks sig over msg with the key named keyID.
func (v *Verifier) Verify(keyID string, msg, sig []byte) error {
	pub, ok := v.keys[keyID]
	if !ok {
		return ErrUnknownKey
	}
	var good bool
	switch pub.Algorithm {
	case Ed25519:
		good = ed25519.Verify(pub.Key, msg, sig)
	case SM2:
		good = sm2Verify(pub.sm2, msg, sig)
	}
	if !good {
		return ErrBadSignature
	}
	return nil
}

// PublicKeys lists every verifying key, the active one first.
func (v *Verifier) PublicKeys() []PublicKey {
	out := make([]PublicKey, len(v.order))
	for i, id := range v.order {
		out[i] = v.keys[id]
	}
	return out
}
