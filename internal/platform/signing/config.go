package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"

	"taxiexam/configs"
	"taxiexam/internal/platform/keyfile"
)

// FromConfig builds the keyring from security.signing_keys. With
// generate_missing_keys (embedded default only) a missing keyring is created
// once under <data_dir>/keys.
func FromConfig(sec configs.Security, dataDir string) (*Keyring, error) {
	keys := sec.SigningKeys
	if keys == "" && sec.GenerateMissingKeys {
		var err error
		if keys, err = keyfile.ReadOrCreate(filepath.Join(dataDir, "keys", "signing_keys"), func() string { return newKeySpec(sec.SigningAlgorithm) }); err != nil {
			return nil, err
		}
	}
	k, err := New(keys)
	if err != nil {
		return nil, fmt.Errorf("setting security.signing_keys: %w", err)
	}
	return k, nil
}

// NewSeed returns a fresh Ed25519 seed in base64, for generation and tests.
func NewSeed() string {
	b := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// newKeySpec is a fresh key entry for security.signing_algorithm.
func newKeySpec(alg string) string {
	if alg == SM2 {
		return "s1:sm2:" + NewSeed() // a random 256-bit scalar is below n with overwhelming probability; New checks
	}
	return "s1:" + NewSeed()
}
