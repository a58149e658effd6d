// gmsm v0.15's SM2 keys are crypto/ecdsa values with raw X/Y coordinates
// and its curve is an elliptic.Curve, so there is no crypto/ecdh route:
//lint:file-ignore SA1019 the SM2 library's key types predate crypto/ecdh

package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"math/big"

	"github.com/emmansun/gmsm/sm2"
)

// sm2PrivateKey makes an SM2 key from its 32-byte private scalar d
// (1 <= d < n-1, GB/T 32918.1).
func sm2PrivateKey(raw []byte) (*sm2.PrivateKey, error) {
	c := sm2.P256()
	d := new(big.Int).SetBytes(raw)
	if d.Sign() <= 0 || d.Cmp(new(big.Int).Sub(c.Params().N, big.NewInt(1))) >= 0 {
		return nil, errors.New("sm2 private key out of range")
	}
	priv := new(sm2.PrivateKey)
	priv.Curve, priv.D = c, d
	priv.X, priv.Y = c.ScalarBaseMult(raw)
	return priv, nil
}

// sm2MarshalPublic is the uncompressed point 04||X||Y.
func sm2MarshalPublic(p *ecdsa.PublicKey) []byte {
	return elliptic.Marshal(p.Curve, p.X, p.Y)
}

func sm2ParsePublic(raw []byte) (*ecdsa.PublicKey, error) {
	c := sm2.P256()
	x, y := elliptic.Unmarshal(c, raw) // also checks the point is on the curve
	if x == nil {
		return nil, errors.New("not an SM2 public key (want the 65-byte uncompressed point)")
	}
	return &ecdsa.PublicKey{Curve: c, X: x, Y: y}, nil
}

// sm2Sign signs msg with SM3 over Z_A||msg (default user id), ASN.1 encoded.
func sm2Sign(priv *sm2.PrivateKey, msg []byte) []byte {
	sig, err := priv.Sign(rand.Reader, msg, sm2.NewSM2SignerOption(true, nil))
	if err != nil {
		panic("signing: sm2: " + err.Error()) // only a failing system random source gets here
	}
	return sig
}

func sm2Verify(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(pub, nil, msg, sig)
}
