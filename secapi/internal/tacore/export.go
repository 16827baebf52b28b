package tacore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"

	"github.com/gotee/gotee/secapi/internal/protocol"
	"github.com/gotee/gotee/ta"
)

// The exported format (gotee's own; the reference's is its own too, and neither is
// meant to be read by the other):
//
//	magic "gsx1" | mixin (16) | sa_header (HeaderSize bytes) | nonce (12) | AES-256-GCM(key bytes) | tag (16)
//
// The sealing key is HKDF-SHA256 of the installation's export secret (a device secret
// of the TA, so another installation cannot open it) with the 16-byte mixin (zeros if
// none) as salt. As in the reference the mixin travels in the blob: it diversifies the
// sealing key per export. Everything before the nonce is the associated data, so
// neither the mixin, the rights nor the type can be changed.
const (
	exportMagic = "gsx1"
	exportNonce = 12
	mixinSize   = 16
)

func exportAEAD(root *rootKeys, mixin []byte) (cipher.AEAD, error) {
	salt := make([]byte, mixinSize)
	copy(salt, mixin)
	k, err := hkdf.Key(sha256.New, root.export, salt, "gotee secapi exported key", 32)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	defer clear(k)
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, protocol.StatusInternalError
	}
	return cipher.NewGCM(b)
}

// keyExport is sa_key_export. Request: u64 key, u32 has mixin, Var mixin, out spec.
// As in the reference, export needs CACHEABLE and nothing else of the rights: it is
// not a use of the key — the blob carries the header, and whoever imports it back
// meets every right again.
func (s *slot) keyExport(r *req_) error {
	kh := r.rd.U64()
	hasMixin := r.rd.U32() != 0
	mixin := r.rd.Var(64)
	o := readOutSpec(r.rd)
	if err := r.rd.Err(); err != nil {
		return err
	}
	if hasMixin && len(mixin) != mixinSize {
		return protocol.StatusInvalidParameter
	}
	k, unlock, err := s.keys.hold(kh, false) // a release waits until the bytes are open
	if err != nil {
		return err
	}
	if !k.hdr.Rights.Has(protocol.UsageCacheable) {
		unlock()
		return protocol.StatusOperationNotAllowed
	}
	plain, err := k.unwrap(s.wrap)
	unlock()
	if err != nil {
		return err
	}
	defer clear(plain)
	need := len(exportMagic) + mixinSize + protocol.HeaderSize + exportNonce + len(plain) + 16
	if done, err := o.check(r, need); done {
		return err
	}
	if !hasMixin {
		mixin = nil
	}
	ae, err := exportAEAD(s.root, mixin)
	if err != nil {
		return err
	}
	out := append([]byte(exportMagic), make([]byte, mixinSize)...)
	copy(out[len(exportMagic):], mixin)
	out = append(out, k.hdr.Marshal()...)
	nonce := make([]byte, exportNonce)
	ta.GenerateRandom(nonce)
	ad := append([]byte(nil), out...)
	out = append(out, nonce...)
	out = ae.Seal(out, nonce, plain, ad)
	return r.reply(out)
}

// importExported is sa_key_import with SA_KEY_FORMAT_EXPORTED; any failure to open
// the blob is SA_STATUS_INVALID_KEY_FORMAT, as in the reference.
func (s *slot) importExported(r *req_) error {
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	in := append([]byte(nil), r.in...)
	hl := len(exportMagic) + mixinSize + protocol.HeaderSize
	if len(in) < hl+exportNonce+16 || string(in[:4]) != exportMagic {
		return protocol.StatusInvalidKeyFormat
	}
	hdr, err := protocol.UnmarshalHeader(in[4+mixinSize : hl])
	if err != nil || !validRights(&hdr.Rights) {
		return protocol.StatusInvalidKeyFormat
	}
	ae, err := exportAEAD(s.root, in[4:4+mixinSize])
	if err != nil {
		return err
	}
	plain, err := ae.Open(nil, in[hl:hl+exportNonce], in[hl+exportNonce:], in[:hl])
	if err != nil {
		return protocol.StatusInvalidKeyFormat
	}
	var pub []byte
	if hdr.Type != protocol.KeyTypeSymmetric {
		key, err := parseKey(&hdr, plain)
		if err == nil {
			pub, err = publicOf(key)
		}
		if err != nil {
			clear(plain)
			return protocol.StatusInvalidKeyFormat
		}
	}
	h, err := s.newKey(hdr, plain, pub)
	if err != nil {
		return err
	}
	return r.replyU64(h)
}
