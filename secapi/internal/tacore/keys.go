package tacore

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
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
	hdr := protocol.Header{Rights: rights, Type: uint8(typ)}
	if typ == protocol.KeyTypeDH {
		if !validRights(&rights) {
			r.rd.Var(protocol.MaxDHModulus + 1)
			r.rd.Var(protocol.MaxDHModulus + 1)
			if err := r.rd.Err(); err != nil {
				return err
			}
			return protocol.StatusInvalidParameter
		}
		return s.keyGenerateDH(r, hdr)
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
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
		size := ecSize(param)
		if size == 0 {
			return protocol.StatusInvalidParameter
		}
		k, err := generateEC(param)
		if err != nil {
			return protocol.StatusInternalError
		}
		hdr.Curve, hdr.Size = param, uint16(size)
		return s.storeAsym(r, hdr, k)
	case protocol.KeyTypeRSA:
		if !validRSASize(int(param)) {
			return protocol.StatusInvalidParameter
		}
		k, err := rsa.GenerateKey(rand.Reader, int(param)*8)
		if err != nil {
			return protocol.StatusInternalError
		}
		hdr.Size = uint16(param)
		return s.storeAsym(r, hdr, k)
	case protocol.KeyTypeDH:
		return protocol.StatusInvalidParameter // DH parameters come with CmdKeyGenerate's DH form
	}
	return protocol.StatusInvalidParameter
}

// storeAsym keeps a new asymmetric key (PKCS#8 DER, or a DH private value) with its
// public key and replies with its handle.
func (s *slot) storeAsym(r *req_, hdr protocol.Header, k privateKey) error {
	pub, err := publicOf(k)
	if err != nil {
		return protocol.StatusInternalError
	}
	var plain []byte
	if dk, ok := k.(*dhKey); ok {
		plain = dk.x.FillBytes(make([]byte, len(hdr.DHP)))
	} else if plain, err = marshalPrivate(k); err != nil {
		return protocol.StatusInternalError
	}
	h, err := s.newKey(hdr, plain, pub)
	if err != nil {
		return err
	}
	return r.replyU64(h)
}

// keyGenerateDH is CmdKeyGenerate for SA_KEY_TYPE_DH, whose request goes on with
// Var(p), Var(g).
func (s *slot) keyGenerateDH(r *req_, hdr protocol.Header) error {
	p := r.rd.Var(protocol.MaxDHModulus + 1)
	g := r.rd.Var(protocol.MaxDHModulus + 1)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if len(p) == 0 || len(p) > protocol.MaxDHModulus || len(g) < 1 || len(g) > len(p) {
		return protocol.StatusInvalidParameter
	}
	k, err := generateDH(p, g)
	if err != nil {
		return err
	}
	hdr.DHP, hdr.DHG, hdr.Size = append([]byte(nil), p...), append([]byte(nil), g...), uint16(len(p))
	return s.storeAsym(r, hdr, k)
}

func (s *slot) keyImport(r *req_, now uint64) error {
	format := r.rd.U32()
	var rights protocol.Rights
	rights.Get(r.rd)
	switch format { // containers carry their own rights (import_soc.go, import_typej.go)
	case protocol.FormatSoC:
		return s.importSoC(r)
	case protocol.FormatTypeJ:
		return s.importTypeJ(r, now)
	}
	var curve uint32
	if format == protocol.FormatECPrivateBytes {
		curve = r.rd.U32()
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	if format > protocol.FormatTypeJ {
		return protocol.StatusInvalidParameter
	}
	if format == protocol.FormatExported {
		return s.importExported(r)
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
	case protocol.FormatECPrivateBytes:
		if r.in == nil {
			return protocol.StatusNullParameter
		}
		size := ecSize(curve)
		if size == 0 {
			return protocol.StatusInvalidParameter
		}
		k, ok := parseEC(curve, append([]byte(nil), r.in...))
		if !ok {
			return protocol.StatusInvalidParameter
		}
		return s.storeAsym(r, protocol.Header{Rights: rights, Type: protocol.KeyTypeEC, Curve: curve, Size: uint16(size)}, k)
	case protocol.FormatRSAPrivateKeyInfo:
		if r.in == nil {
			return protocol.StatusNullParameter
		}
		k, err := x509.ParsePKCS8PrivateKey(append([]byte(nil), r.in...))
		rk, ok := k.(*rsa.PrivateKey)
		if err != nil || !ok {
			return protocol.StatusInvalidKeyFormat
		}
		if !validRSASize(rk.Size()) {
			return protocol.StatusInvalidParameter
		}
		return s.storeAsym(r, protocol.Header{Rights: rights, Type: protocol.KeyTypeRSA, Size: uint16(rk.Size())}, rk)
	}
	return protocol.StatusOperationNotSupported
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
	// A symmetric key has no public part: INVALID_PARAMETER, as the reference.
	if k.hdr.Type == protocol.KeyTypeSymmetric || k.public == nil {
		return protocol.StatusInvalidParameter
	}
	return r.reply(k.public)
}
