// Package signing signs the compact payloads that leave the server and must
// be checked later by someone holding only public keys: admission tickets
// (checked by the proctor console) and certificates (checked by the public
// verify page and the offline verifier).
//
// Keys are Ed25519, configured as "id:base64(32-byte seed),id2:..." (the
// first signs, every one verifies), so a key rotates by putting a new id in
// front and keeping the old ones for as long as something they signed is
// still in use. The key id travels with each signature.
package signing

import (
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

// Keyring holds the signing key and every key that still verifies.
type Keyring struct {
	active  string
	private ed25519.PrivateKey
	public  map[string]ed25519.PublicKey
	order   []string
}

// New parses "id:base64seed,id2:base64seed"; the first key signs.
func New(keys string) (*Keyring, error) {
	k := &Keyring{public: map[string]ed25519.PublicKey{}}
	for i, part := range strings.Split(keys, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || strings.ContainsAny(id, ".: ") {
			return nil, fmt.Errorf("signing key %d: want id:base64", i+1)
		}
		seed, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %q: want base64 of exactly %d bytes", id, ed25519.SeedSize)
		}
		if _, dup := k.public[id]; dup {
			return nil, fmt.Errorf("signing key id %q given twice", id)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		k.public[id] = priv.Public().(ed25519.PublicKey)
		k.order = append(k.order, id)
		if i == 0 {
			k.active, k.private = id, priv
		}
	}
	return k, nil
}

// Sign returns the active key id and the signature of msg.
func (k *Keyring) Sign(msg []byte) (keyID string, sig []byte) {
	return k.active, ed25519.Sign(k.private, msg)
}

// Verify checks sig over msg with the key named keyID.
func (k *Keyring) Verify(keyID string, msg, sig []byte) error {
	pub, ok := k.public[keyID]
	if !ok {
		return ErrUnknownKey
	}
	if !ed25519.Verify(pub, msg, sig) {
		return ErrBadSignature
	}
	return nil
}

// PublicKey is one verification key, for publishing to offline verifiers.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// PublicKeys lists every verifying key, the active one first.
func (k *Keyring) PublicKeys() []PublicKey {
	out := make([]PublicKey, len(k.order))
	for i, id := range k.order {
		out[i] = PublicKey{ID: id, Key: k.public[id]}
	}
	return out
}
