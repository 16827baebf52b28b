package secapi

import (
	"context"

	"github.com/gotee/gotee/secapi/internal/protocol"
)

// TAKeyType is sa_key_type_ta: which DRM credential sa_key_provision_ta carries.
type TAKeyType uint32

// The TA key types.
const (
	WidevineOEMProvisioning    TAKeyType = protocol.ProvisionWidevineOEM
	PlayReadyModelProvisioning TAKeyType = protocol.ProvisionPlayReady
	AppleMFiProvisioning       TAKeyType = protocol.ProvisionAppleMFi
	AppleFairPlayProvisioning  TAKeyType = protocol.ProvisionFairPlay
	NetflixProvisioning        TAKeyType = protocol.ProvisionNetflix
)

// ProvisionTA is sa_key_provision_ta: containers are the credential's SoC key
// containers (Widevine: the OEM device private key; PlayReady: the model private key;
// Netflix: the encryption, HMAC and wrapping keys, in that order), made for this
// installation's root keys, and p their sa_import_parameters_soc (required). As in
// SecAPI 3.4.1's reference, the TA opens every container, which authenticates it,
// and keeps nothing: there is no DRM TA here to hand the keys to. The Apple types are
// StatusOperationNotSupported.
func (c *Client) ProvisionTA(ctx context.Context, typ TAKeyType, containers [][]byte, p *SoCParameters) error {
	if p == nil || len(containers) == 0 {
		return StatusNullParameter
	}
	if len(containers) > 8 {
		return StatusInvalidParameter
	}
	n := p.Length
	if n == 0 {
		n = 624
	}
	var w protocol.Writer
	w.U32(uint32(typ))
	w.U32(uint32(n))
	w.U32(uint32(p.Version))
	w.U64(p.ObjectID)
	w.U32(uint32(len(containers)))
	var in []byte
	for _, ct := range containers {
		w.U32(uint32(len(ct)))
		in = append(in, ct...)
	}
	if in == nil {
		in = []byte{}
	}
	_, err := c.call(ctx, protocol.CmdKeyProvisionTA, w.Buf, in, 0)
	return err
}
