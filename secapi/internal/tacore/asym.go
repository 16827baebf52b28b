package tacore

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"

	"github.com/cloudflare/circl/dh/x448"
	"github.com/cloudflare/circl/sign/ed448"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// Asymmetric keys are kept, sealed, as PKCS#8 DER (as the reference keeps them), except
// DH keys, whose plain bytes are the private value (p and g are in the header). The
// SubjectPublicKeyInfo DER is kept beside the sealed bytes for sa_key_get_public.

// RSA modulus sizes (bytes) the reference accepts.
func validRSASize(n int) bool { return n == 128 || n == 256 || n == 384 || n == 512 }

// ecSize is ec_key_size_from_curve: the private key size in bytes, 0 if unknown.
func ecSize(curve uint32) int {
	switch curve {
	case protocol.CurveP192:
		return 24
	case protocol.CurveP224:
		return 28
	case protocol.CurveP256, protocol.CurveEd25519, protocol.CurveX25519:
		return 32
	case protocol.CurveP384:
		return 48
	case protocol.CurveP521:
		return 66
	case protocol.CurveEd448:
		return 57
	case protocol.CurveX448:
		return 56
	}
	return 0
}

func isPCurve(c uint32) bool {
	switch c {
	case protocol.CurveP192, protocol.CurveP224, protocol.CurveP256, protocol.CurveP384, protocol.CurveP521:
		return true
	}
	return false
}

func ellipticCurve(c uint32) elliptic.Curve {
	switch c {
	case protocol.CurveP224:
		return elliptic.P224()
	case protocol.CurveP256:
		return elliptic.P256()
	case protocol.CurveP384:
		return elliptic.P384()
	case protocol.CurveP521:
		return elliptic.P521()
	}
	return nil // P-192: p192.go
}

// OIDs of RFC 8410 that Go's crypto/x509 does not handle (Ed448, X448) and of PKCS #3.
var (
	oidX448           = asn1.ObjectIdentifier{1, 3, 101, 111}
	oidEd448          = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidDHKeyAgreement = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 3, 1}
)

type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type spki struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

func marshalRFC8410(oid asn1.ObjectIdentifier, priv []byte) ([]byte, error) {
	inner, err := asn1.Marshal(priv)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8{Algo: pkix.AlgorithmIdentifier{Algorithm: oid}, PrivateKey: inner})
}

func marshalSPKI(oid asn1.ObjectIdentifier, params asn1.RawValue, pub []byte) ([]byte, error) {
	a := pkix.AlgorithmIdentifier{Algorithm: oid}
	if params.FullBytes != nil {
		a.Parameters = params
	}
	return asn1.Marshal(spki{Algo: a, PublicKey: asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}})
}

// parseRFC8410 reads a PKCS#8 key of algorithm oid with a raw private key of n bytes.
func parseRFC8410(der []byte, oid asn1.ObjectIdentifier, n int) ([]byte, bool) {
	var p pkcs8
	rest, err := asn1.Unmarshal(der, &p)
	if err != nil || len(rest) != 0 || !p.Algo.Algorithm.Equal(oid) || len(p.Algo.Parameters.FullBytes) != 0 {
		return nil, false
	}
	var priv []byte
	rest, err = asn1.Unmarshal(p.PrivateKey, &priv)
	if err != nil || len(rest) != 0 || len(priv) != n {
		return nil, false
	}
	return priv, true
}

// privateKey is a parsed asymmetric key: *rsa.PrivateKey, *ecdsa.PrivateKey,
// ed25519.PrivateKey, *ecdh.PrivateKey (X25519), ed448.PrivateKey, *x448Key or *dhKey.
type privateKey any

type x448Key struct{ priv, pub x448.Key }

type dhKey struct{ p, g, x, y *big.Int }

// parseEC reads EC PKCS#8 DER for curve; ok is false if it is not a key of that curve.
func parseEC(curve uint32, der []byte) (privateKey, bool) {
	switch curve {
	case protocol.CurveEd448:
		seed, ok := parseRFC8410(der, oidEd448, ed448.SeedSize)
		if !ok {
			return nil, false
		}
		return ed448.NewKeyFromSeed(seed), true
	case protocol.CurveP192:
		if k, ok := parseP192(der); ok {
			return k, true
		}
		return nil, false
	case protocol.CurveX448:
		b, ok := parseRFC8410(der, oidX448, x448.Size)
		if !ok {
			return nil, false
		}
		k := &x448Key{}
		copy(k.priv[:], b)
		x448.KeyGen(&k.pub, &k.priv)
		return k, true
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, false
	}
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if c := ellipticCurve(curve); c != nil && k.Curve == c {
			return k, true
		}
	case ed25519.PrivateKey:
		if curve == protocol.CurveEd25519 {
			return k, true
		}
	case *ecdh.PrivateKey:
		if curve == protocol.CurveX25519 && k.Curve() == ecdh.X25519() {
			return k, true
		}
	}
	return nil, false
}

// publicOf is the SubjectPublicKeyInfo DER of k.
func publicOf(k privateKey) ([]byte, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	case *ecdsa.PrivateKey:
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	case ed25519.PrivateKey:
		return x509.MarshalPKIXPublicKey(k.Public())
	case *ecdh.PrivateKey:
		return x509.MarshalPKIXPublicKey(k.PublicKey())
	case ed448.PrivateKey:
		return marshalSPKI(oidEd448, asn1.RawValue{}, k.Public().(ed448.PublicKey))
	case *x448Key:
		return marshalSPKI(oidX448, asn1.RawValue{}, k.pub[:])
	case *dhKey:
		return dhSPKI(k)
	case *p192Key:
		return k.spki()
	}
	return nil, protocol.StatusInternalError
}

// dhSPKI is the PKCS #3 SubjectPublicKeyInfo OpenSSL writes for a DH key:
// dhKeyAgreement with parameters SEQUENCE {p, g}, the key an INTEGER.
func dhSPKI(k *dhKey) ([]byte, error) {
	params, err := asn1.Marshal(struct{ P, G *big.Int }{k.p, k.g})
	if err != nil {
		return nil, err
	}
	y, err := asn1.Marshal(k.y)
	if err != nil {
		return nil, err
	}
	return marshalSPKI(oidDHKeyAgreement, asn1.RawValue{FullBytes: params}, y)
}

// parseDHPublic reads a peer's DH SubjectPublicKeyInfo; its p and g must be k's.
func parseDHPublic(der []byte, k *dhKey) (*big.Int, bool) {
	var s spki
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) != 0 || !s.Algo.Algorithm.Equal(oidDHKeyAgreement) {
		return nil, false
	}
	var params struct{ P, G *big.Int }
	if rest, err := asn1.Unmarshal(s.Algo.Parameters.FullBytes, &params); err != nil || len(rest) != 0 {
		return nil, false
	}
	if params.P.Cmp(k.p) != 0 || params.G.Cmp(k.g) != 0 {
		return nil, false
	}
	y := new(big.Int)
	if rest, err := asn1.Unmarshal(s.PublicKey.RightAlign(), &y); err != nil || len(rest) != 0 {
		return nil, false
	}
	// 1 < y < p-1 (SP 800-56A's partial public key validation).
	pm1 := new(big.Int).Sub(k.p, big.NewInt(1))
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pm1) >= 0 {
		return nil, false
	}
	return y, true
}

// parseKey opens a key's plain bytes as the header says.
func parseKey(hdr *protocol.Header, plain []byte) (privateKey, error) {
	switch hdr.Type {
	case protocol.KeyTypeRSA:
		k, err := x509.ParsePKCS8PrivateKey(plain)
		if err != nil {
			return nil, protocol.StatusInternalError
		}
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
	case protocol.KeyTypeEC:
		if k, ok := parseEC(hdr.Curve, plain); ok {
			return k, nil
		}
	case protocol.KeyTypeDH:
		p, g := new(big.Int).SetBytes(hdr.DHP), new(big.Int).SetBytes(hdr.DHG)
		x := new(big.Int).SetBytes(plain)
		return &dhKey{p: p, g: g, x: x, y: new(big.Int).Exp(g, x, p)}, nil
	}
	return nil, protocol.StatusInternalError
}

// marshalPrivate is the PKCS#8 DER of a generated or imported key.
func marshalPrivate(k privateKey) ([]byte, error) {
	switch k := k.(type) {
	case ed448.PrivateKey:
		return marshalRFC8410(oidEd448, k.Seed())
	case *x448Key:
		return marshalRFC8410(oidX448, k.priv[:])
	case *p192Key:
		return k.marshalPKCS8()
	}
	return x509.MarshalPKCS8PrivateKey(k)
}

func generateEC(curve uint32) (privateKey, error) {
	switch curve {
	case protocol.CurveP192:
		k, err := generateP192()
		if err != nil {
			return nil, err
		}
		return k, nil
	case protocol.CurveEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case protocol.CurveX25519:
		return ecdh.X25519().GenerateKey(rand.Reader)
	case protocol.CurveEd448:
		_, k, err := ed448.GenerateKey(rand.Reader)
		return k, err
	case protocol.CurveX448:
		k := &x448Key{}
		if _, err := rand.Read(k.priv[:]); err != nil {
			return nil, err
		}
		x448.KeyGen(&k.pub, &k.priv)
		return k, nil
	}
	return ecdsa.GenerateKey(ellipticCurve(curve), rand.Reader)
}

// generateDH makes a DH key pair for p and g: a private value x in [2, p-2].
func generateDH(p, g []byte) (*dhKey, error) {
	k := &dhKey{p: new(big.Int).SetBytes(p), g: new(big.Int).SetBytes(g)}
	three := big.NewInt(3)
	if k.p.Cmp(three) <= 0 || k.p.Bit(0) == 0 || k.g.Cmp(big.NewInt(1)) <= 0 || k.g.Cmp(k.p) >= 0 {
		return nil, protocol.StatusInvalidParameter
	}
	x, err := rand.Int(rand.Reader, new(big.Int).Sub(k.p, three))
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	k.x = x.Add(x, big.NewInt(2))
	k.y = new(big.Int).Exp(k.g, k.x, k.p)
	return k, nil
}

func hashOf(alg uint32) crypto.Hash {
	switch alg {
	case protocol.DigestSHA1:
		return crypto.SHA1
	case protocol.DigestSHA256:
		return crypto.SHA256
	case protocol.DigestSHA384:
		return crypto.SHA384
	case protocol.DigestSHA512:
		return crypto.SHA512
	}
	return 0
}

func asn1Unmarshal(b []byte, v any) ([]byte, error) {
	rest, err := asn1.Unmarshal(b, v)
	if err == nil && len(rest) != 0 {
		err = protocol.StatusInvalidParameter
	}
	return rest, err
}
