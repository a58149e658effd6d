package auth_test

import (
	"testing"
	"time"

	"taxiexam/internal/auth"
)

// The test vectors of RFC 6238 Appendix B (8 digits; the seed is the ASCII
// key repeated to the hash's length) and RFC 4226 Appendix D.
func TestTOTPMatchesRFC6238(t *testing.T) {
	seeds := map[auth.HOTPAlgorithm]string{
		auth.HOTPSHA1:   "12345678901234567890",
		auth.HOTPSHA256: "12345678901234567890123456789012",
		auth.HOTPSHA512: "1234567890123456789012345678901234567890123456789012345678901234",
	}
	for _, tc := range []struct {
		unix int64
		alg  auth.HOTPAlgorithm
		want string
	}{
		{59, auth.HOTPSHA1, "94287082"}, {59, auth.HOTPSHA256, "46119246"}, {59, auth.HOTPSHA512, "90693936"},
		{1111111109, auth.HOTPSHA1, "07081804"}, {1111111109, auth.HOTPSHA256, "68084774"}, {1111111109, auth.HOTPSHA512, "25091201"},
		{1111111111, auth.HOTPSHA1, "14050471"}, {1111111111, auth.HOTPSHA256, "67062674"}, {1111111111, auth.HOTPSHA512, "99943326"},
		{1234567890, auth.HOTPSHA1, "89005924"}, {1234567890, auth.HOTPSHA256, "91819424"}, {1234567890, auth.HOTPSHA512, "93441116"},
		{2000000000, auth.HOTPSHA1, "69279037"}, {2000000000, auth.HOTPSHA256, "90698825"}, {2000000000, auth.HOTPSHA512, "38618901"},
		{20000000000, auth.HOTPSHA1, "65353130"}, {20000000000, auth.HOTPSHA256, "77737706"}, {20000000000, auth.HOTPSHA512, "47863826"},
	} {
		if got := auth.TOTP([]byte(seeds[tc.alg]), time.Unix(tc.unix, 0), 8, tc.alg); got != tc.want {
			t.Errorf("T=%d %s: %s, want %s", tc.unix, tc.alg, got, tc.want)
		}
	}
	for i, want := range []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"} {
		if got := auth.HOTP([]byte("12345678901234567890"), uint64(i), 6, auth.HOTPSHA1); got != want {
			t.Errorf("HOTP count %d: %s, want %s", i, got, want)
		}
	}
}

func TestOTPAuthURI(t *testing.T) {
	uri := auth.OTPAuthURI("漳州市出租汽车考试", "admin", []byte("12345678901234567890"))
	want := "otpauth://totp/%E6%BC%B3%E5%B7%9E%E5%B8%82%E5%87%BA%E7%A7%9F%E6%B1%BD%E8%BD%A6%E8%80%83%E8%AF%95:admin?algorithm=SHA1&digits=6&issuer=%E6%BC%B3%E5%B7%9E%E5%B8%82%E5%87%BA%E7%A7%9F%E6%B1%BD%E8%BD%A6%E8%80%83%E8%AF%95&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if uri != want {
		t.Fatalf("%s\nwant %s", uri, want)
	}
	if s := auth.SecretText([]byte("12345678901234567890")); s != "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" {
		t.Fatalf("secret text %q", s)
	}
}
