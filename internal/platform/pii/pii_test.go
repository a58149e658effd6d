package pii

import (
	"strings"
	"testing"
)

func TestEncryptRoundTripAndRotation(t *testing.T) {
	t.Parallel()
	bidx, k1 := NewKey(), "k1:"+NewKey()
	old, err := New(k1, bidx)
	if err != nil {
		t.Fatal(err)
	}
	c1, err := old.Encrypt("350502199001011234")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c1, "1990") || !strings.HasPrefix(c1, "k1.") {
		t.Fatalf("ciphertext leaks or lacks key id: %q", c1)
	}
	// Rotation: k2 active, k1 still readable.
	rotated, err := New("k2:"+NewKey()+","+k1, bidx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Decrypt(c1)
	if err != nil || got != "350502199001011234" {
		t.Fatalf("decrypt old value: %q %v", got, err)
	}
	if !rotated.NeedsRotation(c1) {
		t.Fatal("old value should need rotation")
	}
	c2, _ := rotated.Encrypt("x")
	if !strings.HasPrefix(c2, "k2.") {
		t.Fatalf("new values use the first key: %q", c2)
	}
	// Tampering is detected.
	tampered := c1[:len(c1)-2] + "AA"
	if _, err := rotated.Decrypt(tampered); err == nil {
		t.Fatal("tampered value decrypted")
	}
	// Blind index is stable across key rotation and separates kinds.
	if old.BlindIndex("phone", "13800138000") != rotated.BlindIndex("phone", " 13800138000 ") {
		t.Fatal("blind index changed")
	}
	if old.BlindIndex("phone", "1") == old.BlindIndex("id_number", "1") {
		t.Fatal("kinds collide")
	}
}

func TestBadKeys(t *testing.T) {
	t.Parallel()
	good := NewKey()
	tests := []struct{ name, keys, bidx string }{
		{"no id", good, good},
		{"short key", "k1:c2hvcnQ=", good},
		{"dup id", "k1:" + good + ",k1:" + good, good},
		{"short bidx", "k1:" + good, "c2hvcnQ="},
	}
	for _, tt := range tests {
		if _, err := New(tt.keys, tt.bidx); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestMasks(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{MaskIDNumber("35050219900101123X"), "3505**********123X"},
		{MaskPhone("13800138000"), "138****8000"},
		{MaskName("张三"), "张*"},
		{MaskName("欧阳娜娜"), "欧***"},
		{MaskAddress("福建省漳州市芗城区胜利路1号"), "福建省漳州市****"},
		{MaskAddress("短地址"), "短地址"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q want %q", tt.got, tt.want)
		}
	}
}
