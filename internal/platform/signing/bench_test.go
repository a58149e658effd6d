package signing

import (
	"testing"
)

// Sign and verify throughput of a certificate-sized message; b.ReportMetric
// prints the per-second figure next to ns/op:
//
//	go test -run '^$' -bench . ./internal/platform/signing/
var benchMsg = []byte("TXC1|123456|T|王**|3506**********1016|20260601|20320531|1")

func benchRing(b *testing.B, alg string) *Keyring {
	spec := "b1:" + NewSeed()
	if alg == SM2 {
		spec = "b1:sm2:" + NewSeed()
	}
	k, err := New(spec)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkSign(b *testing.B) {
	for _, alg := range []string{Ed25519, SM2} {
		b.Run(alg, func(b *testing.B) {
			k := benchRing(b, alg)
			for b.Loop() {
				k.Sign(benchMsg)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signs/s")
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{Ed25519, SM2} {
		b.Run(alg, func(b *testing.B) {
			k := benchRing(b, alg)
			kid, sig := k.Sign(benchMsg)
			for b.Loop() {
				if err := k.Verify(kid, benchMsg, sig); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
		})
	}
}
