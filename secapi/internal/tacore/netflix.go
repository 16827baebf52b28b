package tacore

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/tee"
)

// Netflix MSL key derivations, as SecAPI 3.4.1 defines them: the wrapping key Kwrap
// from Kenc (AES-128) and Khmac (HMAC-SHA256, 32 bytes), and the authenticated DH
// exchange that makes Kenc and Khmac from a DH shared secret and a 16-byte key Kw.
// The salt and info constants are MSL's (github.com/Netflix/msl, Apache 2.0), which
// fix the derivation.
var (
	netflixSalt = []byte{0x02, 0x76, 0x17, 0x98, 0x4f, 0x62, 0x27, 0x53, 0x9a, 0x63, 0x0b, 0x89, 0x7c, 0x01, 0x7d, 0x69}
	netflixInfo = []byte{0x80, 0x9f, 0x82, 0xa7, 0xad, 0xdf, 0x54, 0x8d, 0x3e, 0xa9, 0xdd, 0x06, 0x7f, 0xf9, 0xbb, 0x91}
)

// netflixWrap is Kwrap = the first 16 bytes of HMAC-SHA256(HMAC-SHA256(salt, Kenc ‖
// Khmac), info).
func netflixWrap(enc, mac []byte) ([]byte, error) {
	if len(enc) != 16 || len(mac) != 32 {
		return nil, protocol.StatusInvalidParameter
	}
	m := hmac.New(sha256.New, netflixSalt)
	m.Write(enc)
	m.Write(mac)
	prk := m.Sum(nil)
	defer clear(prk)
	m = hmac.New(sha256.New, prk)
	m.Write(netflixInfo)
	out := m.Sum(nil)
	clear(out[16:])
	return out[:16], nil
}

// netflixSession makes Kenc and Khmac: HMAC-SHA384 keyed with SHA-384(Kw) over the
// shared secret as MSL encodes the number (a zero byte first unless it already
// starts with one); Kenc is bytes 0–15, Khmac bytes 16–47.
func netflixSession(kw, z []byte) (enc, mac []byte) {
	d := sha512.Sum384(kw)
	defer clear(d[:])
	m := hmac.New(sha512.New384, d[:])
	if z[0] != 0 {
		m.Write([]byte{0})
	}
	m.Write(z)
	out := m.Sum(nil)
	enc = append([]byte(nil), out[:16]...)
	mac = append([]byte(nil), out[16:48]...)
	clear(out)
	return enc, mac
}

// deriveNetflix is KeyDerive with SA_KDF_ALGORITHM_NETFLIX (request: u64 kenc, u64
// khmac after the rights): both keys need DERIVE and must be symmetric; the new key
// takes the rights of Kenc as its parent.
func (s *slot) deriveNetflix(r *req_, now uint64, rights protocol.Rights, kenc, khmac uint64) error {
	ek, enc, err := s.use(kenc, now, protocol.UsageDerive)
	if err != nil {
		return err
	}
	defer clear(enc)
	if ek.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidKeyType
	}
	mk, mac, err := s.use(khmac, now, protocol.UsageDerive)
	if err != nil {
		return err
	}
	defer clear(mac)
	if mk.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidKeyType
	}
	w, err := netflixWrap(enc, mac)
	if err != nil {
		return err
	}
	return s.newChild(r, rights, &ek.hdr.Rights, w)
}

// exchangeNetflix is KeyExchange with SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH.
// The request goes on with u64 in_kw, rights of Kenc, rights of Khmac; the reply is
// three u64 handles: Kwrap (with rights), Kenc, Khmac. Kw needs DERIVE, the DH key
// KEY_EXCHANGE; all three keys take Kw's rights as their parent's.
func (s *slot) exchangeNetflix(r *req_, now uint64, priv uint64, rights protocol.Rights) error {
	kwh := r.rd.U64()
	var rightsKe, rightsKh protocol.Rights
	rightsKe.Get(r.rd)
	rightsKh.Get(r.rd)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if r.out == nil || r.outCap < 3*8 {
		r.need = 3 * 8 // before any key is made, so that the call can be retried
		return tee.ErrShortBuffer
	}
	if !validRights(&rights) || !validRights(&rightsKe) || !validRights(&rightsKh) {
		return protocol.StatusInvalidParameter
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	kwk, kw, err := s.use(kwh, now, protocol.UsageDerive)
	if err != nil {
		return err
	}
	defer clear(kw)
	if kwk.hdr.Type != protocol.KeyTypeSymmetric {
		return protocol.StatusInvalidKeyType
	}
	pk, plain, err := s.use(priv, now, protocol.UsageKeyExchange)
	if err != nil {
		return err
	}
	defer clear(plain)
	if pk.hdr.Type != protocol.KeyTypeDH {
		return protocol.StatusInvalidKeyType
	}
	key, err := parseKey(&pk.hdr, plain)
	if err != nil {
		return err
	}
	z, err := sharedSecret(key, append([]byte(nil), r.in...), int(pk.hdr.Size))
	if err != nil {
		return protocol.StatusInvalidParameter
	}
	defer clear(z)
	if len(kw) != 16 || len(z) == 0 {
		return protocol.StatusInvalidParameter
	}
	enc, mac := netflixSession(kw, z)
	defer clear(enc)
	defer clear(mac)
	wrap, err := netflixWrap(enc, mac)
	if err != nil {
		return err
	}
	parent := &kwk.hdr.Rights
	var hs [3]uint64
	for i, k := range []struct {
		rights protocol.Rights
		plain  []byte
	}{{rights, wrap}, {rightsKe, append([]byte(nil), enc...)}, {rightsKh, append([]byte(nil), mac...)}} {
		restrictChild(&k.rights, parent)
		h, err := s.newKey(protocol.Header{Rights: k.rights, Type: protocol.KeyTypeSymmetric, Size: uint16(len(k.plain))}, k.plain, nil)
		if err != nil {
			for _, done := range hs[:i] {
				if old, err := s.keys.remove(done); err == nil {
					old.wipe()
				}
			}
			return err
		}
		hs[i] = h
	}
	var w protocol.Writer
	for _, h := range hs {
		w.U64(h)
	}
	return r.reply(w.Buf)
}
