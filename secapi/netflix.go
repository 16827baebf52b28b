package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// NetflixKDF is SA_KDF_ALGORITHM_NETFLIX: MSL's wrapping key Kwrap (AES-128) from
// kenc (a 16-byte key) and khmac (a 32-byte key), both with DERIVE.
func NetflixKDF(kenc, khmac *Key) KDF {
	return KDF{protocol.KDFNetflix, func(w *protocol.Writer) {
		w.U64(kenc.h)
		w.U64(khmac.h)
	}}
}

// NetflixKeys are the keys of an MSL authenticated DH exchange: the session's
// encryption key Kenc (AES-128), HMAC key Khmac (32 bytes) and the wrapping key
// Kwrap derived from both.
type NetflixKeys struct {
	Wrap, Enc, HMAC *Key
}

// ExchangeNetflix is sa_key_exchange with
// SA_KEY_EXCHANGE_ALGORITHM_NETFLIX_AUTHENTICATED_DH: k is the DH private key (with
// KEY_EXCHANGE), otherPublic the peer's DH public key (SubjectPublicKeyInfo DER), kw
// the 16-byte key that authenticates the exchange (with DERIVE). Kwrap gets rights r,
// Kenc rightsEnc and Khmac rightsHMAC, each restricted by kw's child usage rules.
func (k *Key) ExchangeNetflix(ctx context.Context, r Rights, otherPublic []byte, kw *Key, rightsEnc, rightsHMAC Rights) (NetflixKeys, error) {
	if kw == nil {
		return NetflixKeys{}, StatusNullParameter
	}
	var w protocol.Writer
	w.U32(protocol.ExchangeNetflixAuthenticated)
	w.U64(k.h)
	for i, rr := range []Rights{r, rightsEnc, rightsHMAC} {
		wr, err := rr.wire()
		if err != nil {
			return NetflixKeys{}, err
		}
		wr.Put(&w)
		if i == 0 {
			w.U64(kw.h)
		}
	}
	if otherPublic == nil {
		otherPublic = []byte{}
	}
	b, err := k.c.call(ctx, protocol.CmdKeyExchange, w.Buf, otherPublic, 3*8)
	if err != nil {
		return NetflixKeys{}, err
	}
	rd := protocol.NewReader(b)
	keys := NetflixKeys{&Key{k.c, rd.U64()}, &Key{k.c, rd.U64()}, &Key{k.c, rd.U64()}}
	if rd.Err() != nil {
		return NetflixKeys{}, StatusInternalError
	}
	return keys, nil
}
