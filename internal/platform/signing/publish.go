package signing

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// PublishedKeys is the JSON document of public keys for offline verifiers
// (served by the API and read by `examd verify-cert`):
//
//	{"keys":[{"id":"s2","alg":"sm2","public_key":"BASE64"},{"id":"s1","alg":"ed25519","public_key":"BASE64"}]}
//
// The active key comes first; retired keys stay listed while anything they
// signed is still in use.
type PublishedKeys struct {
	Keys []PublishedKey `json:"keys"`
}

// PublishedKey is one entry of PublishedKeys.
type PublishedKey struct {
	ID        string `json:"id"`
	Algorithm string `json:"alg"`
	PublicKey string `json:"public_key"` // standard base64 of PublicKey.Raw
}

// Published lists v's keys for publishing.
func (v *Verifier) Published() PublishedKeys {
	out := PublishedKeys{Keys: []PublishedKey{}}
	for _, k := range v.PublicKeys() {
		out.Keys = append(out.Keys, PublishedKey{ID: k.ID, Algorithm: k.Algorithm, PublicKey: base64.StdEncoding.EncodeToString(k.Raw)})
	}
	return out
}

// ParsePublished reads a published key document into a verifier.
func ParsePublished(doc []byte) (*Verifier, error) {
	var p PublishedKeys
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	if len(p.Keys) == 0 {
		return nil, fmt.Errorf("public keys: none listed")
	}
	keys := make([]PublicKey, len(p.Keys))
	for i, k := range p.Keys {
		raw, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("public key %q: not base64", k.ID)
		}
		keys[i] = PublicKey{ID: k.ID, Algorithm: k.Algorithm, Raw: raw}
	}
	return NewVerifier(keys)
}
