package cert

import "testing"

func TestMod3736WorkedExamples(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
	}{
		// The GRid (Global Release Identifier, IFPI) uses ISO/IEC 7064
		// MOD 37,36; its published example is A1-2425G-ABC1234002-M.
		{"A12425GABC1234002", 'M'},
		// By hand: P=36; 'A'(10): S=46 mod 36=10, P=20; '1': S=21, P=42 mod 37=5;
		// check = (37-5) mod 36 = 32 = 'W'.
		{"A1", 'W'},
		// '0': S=36 mod 36=0 -> 36, P=72 mod 37=35; check = (37-35) mod 36 = 2.
		{"0", '2'},
		{"a12425gabc1234002", 'M'}, // lower case reads as upper case
	} {
		got, ok := Mod3736(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Mod3736(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
		if !Mod3736Valid(tc.in + string(tc.want)) {
			t.Errorf("Mod3736Valid(%q) = false", tc.in+string(tc.want))
		}
	}
	if _, ok := Mod3736("A1-2"); ok {
		t.Error("a dash is outside the character set")
	}
}

func TestMod3736DetectsSingleErrorsAndTranspositions(t *testing.T) {
	const good = "A12425GABC1234002M"
	for i := 0; i < len(good); i++ {
		for _, c := range []byte(mod3736Alphabet) {
			if c == good[i] {
				continue
			}
			bad := good[:i] + string(c) + good[i+1:]
			if Mod3736Valid(bad) {
				t.Fatalf("substitution at %d (%q) not detected", i, bad)
			}
		}
	}
	for i := 0; i+1 < len(good); i++ {
		if good[i] == good[i+1] {
			continue
		}
		b := []byte(good)
		b[i], b[i+1] = b[i+1], b[i]
		if Mod3736Valid(string(b)) {
			t.Fatalf("transposition at %d (%q) not detected", i, b)
		}
	}
}

func TestLicenceID(t *testing.T) {
	id := LicenceID{TypeCode: TypeCodeTaxi, IssuerCode: "11350200MB0000000X", Serial: "2026000000042", Version: 1}
	s := id.String()
	const want = "1.2.156.3005.2.11100000000019713D075.11350200MB0000000X.2026000000042.001."
	if len(s) != len(want)+1 || s[:len(want)] != want {
		t.Fatalf("String() = %q, want %q + check", s, want)
	}
	if !ValidLicenceID(s) {
		t.Fatalf("ValidLicenceID(%q) = false", s)
	}
	for _, bad := range []string{
		s[:len(s)-1],                         // no check character
		s[:len(s)-5] + "002." + s[len(s)-1:], // version changed, old check
		"1.2.156.3005.2.11100000000019713D072" + s[len(TypeCodeTaxi):], // other type
		"",
	} {
		if ValidLicenceID(bad) {
			t.Errorf("ValidLicenceID(%q) = true", bad)
		}
	}
}
