package tacore

import (
	"crypto/aes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/x509"
	"math/big"

	"github.com/cloudflare/circl/dh/x448"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// restrictChild is the reference's rule for the rights of a key made from a parent
// key (derive, exchange, unwrap): if the parent has any key usage other than UNWRAP,
// or no child usage, the child loses the output protections the parent lacks;
// otherwise the child keeps only the key usages of the parent's child usage flags.
func restrictChild(child *protocol.Rights, parent *protocol.Rights) {
	const keyOnly = protocol.UsageKeyMask &^ (1 << protocol.UsageUnwrap)
	if parent.Usage&keyOnly != 0 || parent.ChildUsage == 0 {
		child.Usage &^= ^parent.Usage & protocol.UsageOutputProtectionsMask
	} else {
		child.Usage &^= ^parent.ChildUsage & protocol.UsageKeyMask
	}
}

// newChild stores a symmetric key made from a parent (parent nil: from a root key).
func (s *slot) newChild(r *req_, rights protocol.Rights, parent *protocol.Rights, plain []byte) error {
	if parent != nil {
		restrictChild(&rights, parent)
	}
	h, err := s.newKey(protocol.Header{Rights: rights, Type: protocol.KeyTypeSymmetric, Size: uint16(len(plain))}, plain, nil)
	if err != nil {
		return err
	}
	return r.replyU64(h)
}

// keyExchange is sa_key_exchange. Request: u32 algorithm, u64 key, rights; parameter 2
// is the other party's public key (SubjectPublicKeyInfo DER, as the reference takes
// it for DH and ECDH alike). The shared secret becomes a symmetric key.
func (s *slot) keyExchange(r *req_, now uint64) error {
	alg := r.rd.U32()
	kh := r.rd.U64()
	var rights protocol.Rights
	rights.Get(r.rd)
	if alg == protocol.ExchangeNetflixAuthenticated {
		return s.exchangeNetflix(r, now, kh, rights) // netflix.go
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
	switch alg {
	case protocol.ExchangeDH, protocol.ExchangeECDH:
	default:
		return protocol.StatusInvalidParameter
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	k, plain, err := s.use(kh, now, protocol.UsageKeyExchange)
	if err != nil {
		return err
	}
	defer clear(plain)
	hdr := &k.hdr
	if alg == protocol.ExchangeDH && hdr.Type != protocol.KeyTypeDH ||
		alg == protocol.ExchangeECDH && (hdr.Type != protocol.KeyTypeEC || ecSize(hdr.Curve) != int(hdr.Size)) {
		return protocol.StatusInvalidKeyType
	}
	if alg == protocol.ExchangeECDH && (hdr.Curve == protocol.CurveEd25519 || hdr.Curve == protocol.CurveEd448) {
		return protocol.StatusInvalidKeyType
	}
	key, err := parseKey(hdr, plain)
	if err != nil {
		return err
	}
	peer := append([]byte(nil), r.in...)
	secret, err := sharedSecret(key, peer, int(hdr.Size))
	if err != nil {
		return err
	}
	return s.newChild(r, rights, &hdr.Rights, secret)
}

func sharedSecret(key privateKey, peer []byte, size int) ([]byte, error) {
	switch k := key.(type) {
	case *dhKey:
		y, ok := parseDHPublic(peer, k)
		if !ok {
			return nil, protocol.StatusInvalidParameter
		}
		z := new(big.Int).Exp(y, k.x, k.p)
		return z.FillBytes(make([]byte, size)), nil
	case *p192Key:
		return k.ecdh(peer)
	case *x448Key:
		var s spki
		if _, err := asn1Unmarshal(peer, &s); err != nil || !s.Algo.Algorithm.Equal(oidX448) || len(s.PublicKey.Bytes) != x448.Size {
			return nil, protocol.StatusInvalidParameter
		}
		var pub, z x448.Key
		copy(pub[:], s.PublicKey.Bytes)
		if !x448.Shared(&z, &k.priv, &pub) {
			return nil, protocol.StatusInvalidParameter
		}
		return z[:], nil
	}
	pk, err := x509.ParsePKIXPublicKey(peer)
	if err != nil {
		return nil, protocol.StatusInvalidParameter
	}
	var priv *ecdh.PrivateKey
	var pub *ecdh.PublicKey
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		ep, ok := pk.(*ecdsa.PublicKey)
		if !ok || ep.Curve != k.Curve {
			return nil, protocol.StatusInvalidParameter
		}
		if priv, err = k.ECDH(); err != nil {
			return p224ECDH(k, ep) // crypto/ecdh has no P-224
		}
		if pub, err = ep.ECDH(); err != nil {
			return nil, protocol.StatusInvalidParameter
		}
	case *ecdh.PrivateKey:
		ep, ok := pk.(*ecdh.PublicKey)
		if !ok || ep.Curve() != k.Curve() {
			return nil, protocol.StatusInvalidParameter
		}
		priv, pub = k, ep
	default:
		return nil, protocol.StatusInvalidKeyType
	}
	z, err := priv.ECDH(pub)
	if err != nil {
		return nil, protocol.StatusInvalidParameter
	}
	return z, nil
}

// keyDerive is sa_key_derive. Request: u32 algorithm, rights, then per algorithm:
// root key ladders Var c1..c4; HKDF u64 key length, u32 digest, u64 parent, Var salt,
// Var info; Concat and ANSI X9.63 u64 key length, u32 digest, u64 parent, Var info;
// CMAC u64 key length, u64 parent, Var other data, u32 counter; Netflix u64 kenc,
// u64 khmac.
func (s *slot) keyDerive(r *req_, now uint64) error {
	alg := r.rd.U32()
	var rights protocol.Rights
	rights.Get(r.rd)
	var (
		keyLen          uint64
		digest, counter uint32
		parent          uint64
		counterpart     uint64 // Netflix: khmac beside kenc (parent)
		c               [4][]byte
		salt, info      []byte
	)
	const maxVar = protocol.MaxRequest
	switch alg {
	case protocol.KDFRootKeyLadder, protocol.KDFCommonRootKeyLadder:
		for i := range c {
			c[i] = r.rd.Var(maxVar)
		}
	case protocol.KDFHKDF:
		keyLen, digest, parent = r.rd.U64(), r.rd.U32(), r.rd.U64()
		salt, info = r.rd.Var(maxVar), r.rd.Var(maxVar)
	case protocol.KDFConcat, protocol.KDFANSIX963:
		keyLen, digest, parent = r.rd.U64(), r.rd.U32(), r.rd.U64()
		info = r.rd.Var(maxVar)
	case protocol.KDFCMAC:
		keyLen, parent = r.rd.U64(), r.rd.U64()
		info = r.rd.Var(maxVar)
		counter = r.rd.U32()
	case protocol.KDFNetflix:
		parent, counterpart = r.rd.U64(), r.rd.U64() // kenc, khmac
	default:
		return protocol.StatusInvalidParameter
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	if !validRights(&rights) {
		return protocol.StatusInvalidParameter
	}
	switch alg {
	case protocol.KDFNetflix:
		return s.deriveNetflix(r, now, rights, parent, counterpart) // netflix.go
	case protocol.KDFRootKeyLadder, protocol.KDFCommonRootKeyLadder:
		for i := range c {
			if len(c[i]) != 16 {
				return protocol.StatusInvalidParameter
			}
		}
		root := s.root.unique
		if alg == protocol.KDFCommonRootKeyLadder {
			root = s.root.common
		}
		k, err := ladder(root, c)
		if err != nil {
			return err
		}
		return s.newChild(r, rights, nil, k)
	case protocol.KDFCMAC:
		if counter < 1 || counter > 4 || keyLen%16 != 0 || keyLen/16 > uint64(5-counter) {
			return protocol.StatusInvalidParameter
		}
	default:
		if keyLen < minSymmetric || keyLen > maxSymmetric || !validDigest(digest) {
			return protocol.StatusInvalidParameter
		}
	}
	k, plain, err := s.use(parent, now, protocol.UsageDerive)
	if err != nil {
		return err
	}
	defer clear(plain)
	if k.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidKeyType
	}
	var out []byte
	switch alg {
	case protocol.KDFHKDF:
		if len(plain) < minSymmetric || len(plain) > maxSymmetric {
			return protocol.StatusInvalidKeyType
		}
		out, err = hkdf.Key(hashOf(digest).New, plain, salt, string(info), int(keyLen))
		if err != nil {
			return protocol.StatusInvalidParameter
		}
	case protocol.KDFConcat:
		out = hashKDF(digest, int(keyLen), func(ctr []byte, put func(...[]byte)) { put(ctr, plain, info) })
	case protocol.KDFANSIX963:
		out = hashKDF(digest, int(keyLen), func(ctr []byte, put func(...[]byte)) { put(plain, ctr, info) })
	case protocol.KDFCMAC:
		if len(plain) != 16 && len(plain) != 32 {
			return protocol.StatusInvalidKeyType
		}
		full, err := cmacKDF(plain, info)
		if err != nil {
			return err
		}
		out = append([]byte(nil), full[(counter-1)*16:(counter-1)*16+uint32(keyLen)]...)
		clear(full)
	}
	return s.newChild(r, rights, &k.hdr.Rights, out)
}

// hashKDF runs the one-step hash KDFs: block i (1-based, as a 32-bit big-endian
// counter) is H(order(counter, Z, info)), concatenated and cut to n bytes. Concat
// (SP 800-56A) puts the counter first, ANSI X9.63 after Z.
func hashKDF(digest uint32, n int, order func(ctr []byte, put func(...[]byte))) []byte {
	h := hashOf(digest)
	out := make([]byte, 0, n+h.Size())
	for i := uint32(1); len(out) < n; i++ {
		hh := h.New()
		ctr := []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		order(ctr, func(bs ...[]byte) {
			for _, b := range bs {
				hh.Write(b)
			}
		})
		out = hh.Sum(out)
	}
	clear(out[n:cap(out)])
	return out[:n]
}

// cmacKDF is the reference's counter-mode CMAC KDF (SP 800-108): four blocks,
// block i = CMAC(K, i || other data), of which the caller takes a slice.
func cmacKDF(key, other []byte) ([]byte, error) {
	op, err := aesOp(tee.AlgAESCMAC, tee.ModeMAC, key)
	if err != nil {
		return nil, err
	}
	defer op.Free()
	out := make([]byte, 64)
	for i := range 4 {
		op.MACInit(nil)
		msg := append([]byte{byte(i + 1)}, other...)
		if _, err := op.MACComputeFinal(out[i*16:(i+1)*16], msg); err != nil {
			return nil, protocol.StatusInternalError
		}
	}
	return out, nil
}

// ladder is the reference's root key ladder: k1 = AES-ECB-decrypt(root, c1), then
// each stage decrypts the next input under the previous stage's key; the fourth stage
// is the derived 128-bit key.
func ladder(root []byte, c [4][]byte) ([]byte, error) {
	k := append([]byte(nil), root...)
	for _, in := range c {
		b, err := aes.NewCipher(k)
		if err != nil {
			return nil, protocol.StatusInternalError
		}
		next := make([]byte, 16)
		b.Decrypt(next, in)
		clear(k)
		k = next
	}
	return k, nil
}

// rootKeys are the installation's root keys (unique and common) and the key that
// exported keys are sealed under.
type rootKeys struct {
	unique, common []byte
	export         []byte
	deviceID       uint64 // from the provisioned keystore; 0: gpd.tee.deviceID
	provisioned    bool
}

// Labels of the TA's device secrets for the root keys.
const (
	labelRootUnique = "secapi/root/unique"
	labelRootCommon = "secapi/root/common"
	labelExport     = "secapi/export/v1"
)

// newRootKeys reads the provisioned keystore, and without one derives the root keys
// from the TA's device secret.
func newRootKeys(s *ta.Session) (*rootKeys, error) {
	p, err := loadProvisioned(s)
	if err != nil {
		return nil, err
	}
	if p != nil {
		defer p.wipe()
		return rootKeysFrom(p), nil
	}
	get := func(label string, n int) ([]byte, error) {
		b, err := s.DeviceSecret(label)
		if err != nil {
			return nil, err
		}
		return b[:n], nil
	}
	var rk rootKeys
	if rk.unique, err = get(labelRootUnique, 16); err != nil {
		return nil, err
	}
	if rk.common, err = get(labelRootCommon, 16); err != nil {
		return nil, err
	}
	if rk.export, err = get(labelExport, 32); err != nil {
		return nil, err
	}
	return &rk, nil
}
