package tacore

import (
	"bytes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"hash"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
)

// Symmetric key sizes (bytes) the reference accepts.
const (
	minSymmetric = 16
	maxSymmetric = 512
)

// key is a key at rest: its header in the clear, its bytes sealed under the
// instance's wrapping key with the header as associated data, so neither can be
// changed without the other failing to open.
type key struct {
	hdr    protocol.Header
	nonce  []byte
	sealed []byte
	public []byte // SubjectPublicKeyInfo DER of an EC key
}

func (s *slot) newKey(hdr protocol.Header, plain, public []byte) (uint64, error) {
	k := &key{hdr: hdr, public: public, nonce: make([]byte, s.wrap.NonceSize())}
	ta.GenerateRandom(k.nonce)
	k.sealed = s.wrap.Seal(nil, k.nonce, plain, hdr.Marshal())
	clear(plain)
	h, err := s.keys.add(k)
	if err != nil {
		k.wipe()
	}
	return h, err
}

func (k *key) unwrap(w cipher.AEAD) ([]byte, error) {
	plain, err := w.Open(nil, k.nonce, k.sealed, k.hdr.Marshal())
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	return plain, nil
}

func (k *key) wipe() { clear(k.sealed) }

// validRights is rights_validate_format: the id must be NUL terminated.
func validRights(r *protocol.Rights) bool { return bytes.IndexByte(r.ID[:], 0) >= 0 }

func (s *slot) keyGenerate(r *req_) error {
	typ := r.rd.U32()
	var rights protocol.Rights
	rights.Get(r.rd)
	param := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
	hdr := protocol.Header{Rights: rights, Type: uint8(typ)}
	switch typ {
	case protocol.KeyTypeSymmetric:
		if param < minSymmetric || param > maxSymmetric {
			return protocol.StatusInvalidParameter
		}
		hdr.Size = uint16(param)
		b := make([]byte, param)
		ta.GenerateRandom(b)
		h, err := s.newKey(hdr, b, nil)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case protocol.KeyTypeEC:
		var c elliptic.Curve
		switch param {
		case protocol.CurveP256:
			c = elliptic.P256()
		case protocol.CurveP384:
			c = elliptic.P384()
		case protocol.CurveP521:
			c = elliptic.P521()
		case protocol.CurveP192, protocol.CurveP224:
			return protocol.StatusOperationNotSupported // phase 2
		case protocol.CurveEd25519, protocol.CurveX25519, protocol.CurveEd448, protocol.CurveX448:
			return protocol.StatusOperationNotSupported // as the reference's generate
		default:
			return protocol.StatusInvalidParameter
		}
		priv, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			return protocol.StatusInternalError
		}
		spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			return protocol.StatusInternalError
		}
		eb, err := priv.ECDH()
		if err != nil {
			return protocol.StatusInternalError
		}
		raw := eb.Bytes()
		hdr.Curve, hdr.Size = param, uint16(len(raw))
		h, err := s.newKey(hdr, raw, spki)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case protocol.KeyTypeRSA, protocol.KeyTypeDH:
		return protocol.StatusOperationNotSupported // phase 2
	}
	return protocol.StatusInvalidParameter
}

func (s *slot) keyImport(r *req_) error {
	format := r.rd.U32()
	var rights protocol.Rights
	rights.Get(r.rd)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
	switch format {
	case protocol.FormatSymmetricBytes:
		if r.in == nil {
			return protocol.StatusNullParameter
		}
		if len(r.in) < minSymmetric || len(r.in) > maxSymmetric {
			return protocol.StatusInvalidParameter
		}
		b := append([]byte(nil), r.in...)
		h, err := s.newKey(protocol.Header{Rights: rights, Type: protocol.KeyTypeSymmetric, Size: uint16(len(b))}, b, nil)
		if err != nil {
			return err
		}
		return r.replyU64(h)
	case 1, 2, 3, 4, 5, 6:
		return protocol.StatusOperationNotSupported // phase 2 formats
	}
	return protocol.StatusInvalidParameter
}

func digestOf(alg uint32) func() hash.Hash {
	switch alg {
	case protocol.DigestSHA1:
		return sha1.New
	case protocol.DigestSHA256:
		return sha256.New
	case protocol.DigestSHA384:
		return sha512.New384
	case protocol.DigestSHA512:
		return sha512.New
	}
	return nil
}

func (s *slot) keyDigest(r *req_, now uint64) error {
	h := r.rd.U64()
	alg := r.rd.U32()
	if err := r.rd.Err(); err != nil {
		return err
	}
	newHash := digestOf(alg)
	if newHash == nil {
		return protocol.StatusInvalidParameter
	}
	k, plain, err := s.use(h, now, -1)
	if err != nil {
		return err
	}
	defer clear(plain)
	if k.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidParameter
	}
	d := newHash()
	d.Write(plain)
	return r.reply(d.Sum(nil))
}

func (s *slot) keyPublic(r *req_) error {
	h := r.rd.U64()
	if err := r.rd.Err(); err != nil {
		return err
	}
	k, err := s.keys.get(h)
	if err != nil {
		return err
	}
	if k.hdr.Type == protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidKeyType
	}
	return r.reply(k.public)
}
