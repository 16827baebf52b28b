package crypto

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"encoding/binary"

	"github.com/gotee/gotee/tee"
)

// The key derivation functions: HKDF (RFC 5869) is crypto/hkdf, PBKDF2 (RFC 8018) is
// crypto/pbkdf2, and Concat KDF (NIST SP 800-56A §5.8.1, the one-step KDF with a hash)
// is the concatenation of H(counter || Z || OtherInfo) for counter = 1, 2, ... — a
// composition over hash.Hash checked against NIST CAVS vectors.

// maxDerivedBytes bounds every derived length: a derived object holds at most 4096 bits.
const maxDerivedBytes = 4096 / 8

func derivedLen(n uint32) (int, error) {
	if n == 0 || n > maxDerivedBytes {
		return 0, tee.ErrBadParameters
	}
	return int(n), nil
}

func hkdfDerive(fn string, as *asymSpec, ikm []byte, params []tee.Attribute) ([]byte, error) {
	h := as.hash
	var p map[tee.AttributeID]tee.Attribute
	var length tee.AttributeID
	if as.scheme == schGPHKDF {
		p = paramSet(fn, params, tee.AttrHKDFSalt, tee.AttrHKDFInfo, tee.AttrHKDFHashAlgorithm, tee.AttrKDFKeySize)
		length = tee.AttrKDFKeySize
		if ha, ok := p[tee.AttrHKDFHashAlgorithm]; ok {
			var known bool
			if h, known = gpHash(tee.Algorithm(ha.A)); !known {
				return nil, tee.ErrBadParameters
			}
		}
	} else {
		p = paramSet(fn, params, tee.AttrHKDFSalt, tee.AttrOPTEEHKDFSalt, tee.AttrHKDFInfo, tee.AttrOPTEEHKDFInfo, tee.AttrHKDFOKMLength)
		length = tee.AttrHKDFOKMLength
	}
	l, ok := p[length]
	if !ok {
		misuse(fn, "HKDF needs the output length (attribute 0x%08x)", uint32(length))
	}
	n, err := derivedLen(l.A)
	if err != nil {
		return nil, err
	}
	salt := p[tee.AttrHKDFSalt].Ref
	if s, ok := p[tee.AttrOPTEEHKDFSalt]; ok {
		salt = s.Ref
	}
	info := p[tee.AttrHKDFInfo].Ref
	if i, ok := p[tee.AttrOPTEEHKDFInfo]; ok {
		info = i.Ref
	}
	out, err := hkdf.Key(hashNew(h), ikm, salt, string(info), n)
	if err != nil {
		return nil, tee.ErrBadParameters // longer than 255 hash blocks
	}
	return out, nil
}

func concatKDFDerive(fn string, as *asymSpec, z []byte, params []tee.Attribute) ([]byte, error) {
	p := paramSet(fn, params, tee.AttrConcatKDFOtherInfo, tee.AttrConcatKDFDKMLength)
	l, ok := p[tee.AttrConcatKDFDKMLength]
	if !ok {
		misuse(fn, "Concat KDF needs TEE_ATTR_CONCAT_KDF_DKM_LENGTH")
	}
	n, err := derivedLen(l.A)
	if err != nil {
		return nil, err
	}
	return concatKDF(as, z, p[tee.AttrConcatKDFOtherInfo].Ref, n), nil
}

// concatKDF is SP 800-56A's one-step KDF with hash H: the first n bytes of
// H(1 || Z || OtherInfo) || H(2 || Z || OtherInfo) || ..., the counter 32-bit big-endian.
func concatKDF(as *asymSpec, z, otherInfo []byte, n int) []byte {
	h := hashNew(as.hash)()
	out := make([]byte, 0, n+h.Size())
	var ctr [4]byte
	for i := uint32(1); len(out) < n; i++ {
		h.Reset()
		binary.BigEndian.PutUint32(ctr[:], i)
		h.Write(ctr[:])
		h.Write(z)
		h.Write(otherInfo)
		out = h.Sum(out)
	}
	clear(out[n:])
	return out[:n]
}

func pbkdf2Derive(fn string, as *asymSpec, password []byte, params []tee.Attribute) ([]byte, error) {
	p := paramSet(fn, params, tee.AttrPBKDF2Salt, tee.AttrPBKDF2IterationCount, tee.AttrPBKDF2DKMLength)
	l, okl := p[tee.AttrPBKDF2DKMLength]
	c, okc := p[tee.AttrPBKDF2IterationCount]
	if !okl || !okc {
		misuse(fn, "PBKDF2 needs TEE_ATTR_PBKDF2_DKM_LENGTH and _ITERATION_COUNT")
	}
	n, err := derivedLen(l.A)
	if err != nil {
		return nil, err
	}
	if c.A == 0 {
		return nil, tee.ErrBadParameters
	}
	out, err := pbkdf2.Key(hashNew(as.hash), string(password), p[tee.AttrPBKDF2Salt].Ref, int(c.A), n)
	if err != nil {
		return nil, tee.ErrBadParameters
	}
	return out, nil
}
