package signing

import (
	"crypto/ed25519"
	"encoding/base64"
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
