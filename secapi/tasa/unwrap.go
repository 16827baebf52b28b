package tasa

import "github.com/gotee/gotee/secapi/internal/protocol"

// UnwrapSymmetric is sa_key_unwrap of a symmetric key wrapped with AES: how a DRM
// TA turns a license's wrapped content key into a key of its slot without the
// content key ever being in the clear outside the SecAPI TA. wrappingKey needs
// UNWRAP and, like every key, must allow this TA; the new key gets rights r,
// restricted by the wrapping key's child usage as derived keys are.
//
// alg is AESCBC or AESCBCPKCS7 (p.IV, 16 bytes), AESCTR (p.IV, the 16-byte counter
// block) or AESGCM (p.IV of 12 bytes, p.AAD and tag, 1 to 16 bytes). A wrong GCM
// tag is StatusVerificationFailed, bad PKCS#7 padding StatusInvalidKeyFormat.
func (c *Client) UnwrapSymmetric(r Rights, alg CipherAlgorithm, p CipherParams, tag []byte, wrappingKey *Key, in []byte) (*Key, error) {
	if wrappingKey == nil {
		return nil, StatusNullParameter
	}
	wr, err := r.wire()
	if err != nil {
		return nil, err
	}
	if len(p.IV) > protocol.MaxIV || len(p.AAD) > protocol.MaxAAD || len(tag) > protocol.MaxTag {
		return nil, StatusInvalidParameter
	}
	var w protocol.Writer
	wr.Put(&w)
	w.U32(protocol.KeyTypeSymmetric)
	w.U32(0) // no curve
	w.U32(uint32(alg))
	w.U64(wrappingKey.h)
	switch alg {
	case AESCBC, AESCBCPKCS7, AESCTR:
		w.Var(p.IV)
	case AESGCM:
		w.Var(p.IV)
		w.Var(p.AAD)
		w.Var(tag)
	default:
		return nil, StatusInvalidParameter
	}
	if len(w.Buf) > protocol.MaxRequest {
		return nil, StatusInvalidParameter
	}
	if in == nil {
		in = []byte{} // present, so an empty input is INVALID_PARAMETER, not NULL
	}
	h, err := c.callU64(protocol.CmdKeyUnwrap, w.Buf, in)
	if err != nil {
		return nil, err
	}
	return &Key{c, h}, nil
}
