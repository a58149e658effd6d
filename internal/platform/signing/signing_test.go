package signing

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func seed(b byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune(b)), ed25519.SeedSize)))
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, tc := range []struct{ name, keys string }{
		{"empty", ""},
		{"no id", ":" + seed('a')},
		{"not base64", "k1:???"},
		{"short", "k1:" + base64.StdEncoding.EncodeToString([]byte("short"))},
		{"dot in id", "k.1:" + seed('a')},
		{"duplicate id", "k1:" + seed('a') + ",k1:" + seed('b')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.keys); err == nil {
				t.Fatalf("New(%q) accepted", tc.keys)
			}
		})
	}
}

func TestSignVerifyAndRotation(t *testing.T) {
	old, err := New("k1:" + seed('a'))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := New("k2:" + seed('b') + ",k1:" + seed('a'))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("ticket:T2026120100001")
	kid, sig := old.Sign(msg)
	if kid != "k1" {
		t.Fatalf("key id %q", kid)
	}
	if err := rotated.Verify(kid, msg, sig); err != nil {
		t.Fatalf("rotated keyring refuses a signature of its old key: %v", err)
	}
	kid2, sig2 := rotated.Sign(msg)
	if kid2 != "k2" {
		t.Fatalf("rotated keyring signs with %q", kid2)
	}
	if err := old.Verify(kid2, msg, sig2); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old keyring on a new key: %v", err)
	}
	altered := append([]byte{}, msg...)
	altered[len(altered)-1] ^= 1
	for _, tc := range []struct {
		name string
		msg  []byte
		sig  []byte
	}{
		{"altered message", altered, sig},
		{"altered signature", msg, append(append([]byte{}, sig[:len(sig)-1]...), sig[len(sig)-1]^1)},
		{"truncated signature", msg, sig[:10]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := rotated.Verify("k1", tc.msg, tc.sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("want ErrBadSignature, got %v", err)
			}
		})
	}
	if pk := rotated.PublicKeys(); len(pk) != 2 || pk[0].ID != "k2" || pk[1].ID != "k1" {
		t.Fatalf("public keys %+v", pk)
	}
}

func TestSM2AndMixedRotation(t *testing.T) {
	ed, err := New("k1:" + seed('a'))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := New("g1:sm2:" + seed('c') + ",k1:" + seed('a'))
	if err != nil {
		t.Fatal(err)
	}
	if ring.Algorithm() != SM2 || ed.Algorithm() != Ed25519 {
		t.Fatalf("algorithms %s %s", ring.Algorithm(), ed.Algorithm())
	}
	msg := []byte("TXC1|1|T|王*|3502**********1234|20260601|20320531|1")
	kid, sig := ring.Sign(msg)
	if kid != "g1" {
		t.Fatalf("signed with %q", kid)
	}
	if err := ring.Verify(kid, msg, sig); err != nil {
		t.Fatalf("sm2 verify: %v", err)
	}
	oldKid, oldSig := ed.Sign(msg)
	if err := ring.Verify(oldKid, msg, oldSig); err != nil {
		t.Fatalf("rotated ring refuses the old Ed25519 signature: %v", err)
	}
	altered := append([]byte(nil), msg...)
	altered[len(altered)-1] = '2'
	for name, tc := range map[string]struct {
		kid      string
		msg, sig []byte
		want     error
	}{
		"altered message":      {kid, altered, sig, ErrBadSignature},
		"truncated sig":        {kid, msg, sig[:len(sig)-3], ErrBadSignature},
		"sm2 sig, ed25519 key": {"k1", msg, sig, ErrBadSignature},
		"unknown key":          {"zz", msg, sig, ErrUnknownKey},
	} {
		if err := ring.Verify(tc.kid, tc.msg, tc.sig); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}

	doc, err := json.Marshal(ring.Published())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublished(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Verify(kid, msg, sig); err != nil {
		t.Fatalf("published sm2 key: %v", err)
	}
	if err := pub.Verify(oldKid, msg, oldSig); err != nil {
		t.Fatalf("published ed25519 key: %v", err)
	}
	if err := pub.Verify(kid, altered, sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("published key accepts an altered message: %v", err)
	}
	for _, bad := range []string{`{}`, `{"keys":[{"id":"x","alg":"rsa","public_key":"AA=="}]}`, `{"keys":[{"id":"x","alg":"sm2","public_key":"AAAA"}]}`, `nope`} {
		if _, err := ParsePublished([]byte(bad)); err == nil {
			t.Errorf("ParsePublished(%s) accepted", bad)
		}
	}
	if _, err := New("g1:sm2:" + base64.StdEncoding.EncodeToString(make([]byte, 32))); err == nil {
		t.Error("an all-zero SM2 private key was accepted")
	}
	if _, err := New("g1:rsa:" + seed('a')); err == nil {
		t.Error("unknown algorithm accepted")
	}
}
