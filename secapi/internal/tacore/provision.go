package tacore

import (
	"crypto/rsa"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// sa_key_provision_ta hands a DRM TA its device credential (Widevine OEM key and
// certificate, PlayReady model key and certificate, Netflix Kenc/Khmac/Kwrap and ESN).
// The keys come as SoC key containers under the installation's root keys. SecAPI
// 3.4.1's reference TA opens the container to authenticate it and keeps nothing: where
// the credential goes is left to each SoC vendor's DRM TAs. gotee has no such TAs, so
// it does the same: every key container of the credential is opened (and so checked
// against the root keys and the SoC parameters) and wiped; certificates and the ESN
// never leave the client library, which checks only that they are there.

// provisionContainers is how many key containers each credential has.
var provisionContainers = map[uint32]int{
	protocol.ProvisionWidevineOEM: 1, // OEM device private key
	protocol.ProvisionPlayReady:   1, // model private key
	protocol.ProvisionNetflix:     3, // encryption, HMAC and wrapping keys
}

// keyProvisionTA is CmdKeyProvisionTA. Request: u32 ta_key_type, u32 length, u32
// version, u64 object_id (sa_import_parameters_soc, required), u32 count, count × u32
// container lengths; parameter 2 is the containers one after the other.
func (s *slot) keyProvisionTA(r *req_) error {
	typ := r.rd.U32()
	prm := socParams{present: true}
	prm.length, prm.version, prm.objectID = r.rd.U32(), r.rd.U32(), r.rd.U64()
	n := r.rd.U32()
	if n > 8 {
		return protocol.StatusInvalidParameter
	}
	lens := make([]uint32, n)
	for i := range lens {
		lens[i] = r.rd.U32()
	}
	if err := r.rd.Err(); err != nil {
		return err
	}
	switch typ {
	case protocol.ProvisionAppleMFi, protocol.ProvisionFairPlay:
		return protocol.StatusOperationNotSupported
	}
	want, ok := provisionContainers[typ]
	if !ok || int(n) != want {
		return protocol.StatusInvalidParameter
	}
	if r.in == nil {
		return protocol.StatusNullParameter
	}
	in := append([]byte(nil), r.in...)
	defer clear(in)
	for _, l := range lens {
		if l == 0 {
			return protocol.StatusNullParameter
		}
		if uint64(l) > uint64(len(in)) {
			return protocol.StatusInvalidParameter
		}
		_, plain, k, err := s.socOpen(in[:l], &prm)
		clear(plain)
		wipePrivate(k)
		if err != nil {
			return err
		}
		in = in[l:]
	}
	if len(in) != 0 {
		return protocol.StatusInvalidParameter
	}
	return nil
}

// wipePrivate zeroes what of a parsed private key Go lets us reach (the big.Int
// secrets of RSA and DH); EC scalars are held opaquely by crypto/ecdsa and
// crypto/ecdh (ecdsa.PrivateKey.D is deprecated) and are left to the collector.
func wipePrivate(k privateKey) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		k.D.SetInt64(0)
		for _, p := range k.Primes {
			p.SetInt64(0)
		}
	case *dhKey:
		k.x.SetInt64(0)
	}
}
