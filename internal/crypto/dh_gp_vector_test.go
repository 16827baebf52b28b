package crypto

import (
	"bytes"
	"testing"

	"github.com/gotee/gotee/tee"
)

// The DH vector of OP-TEE's optee_test (host/xtest/regression_4000_data.h,
// derive_key_dh_*, "taken from GP test specification", used by xtest 4009) is a key pair
// whose public value is not g^x mod p; the shared secret is peer^x mod p all the same.
// OP-TEE populates the object, sets the key and derives the secret, and so does this
// engine: derivation uses x alone.
var gpDHVector = dhVector{
	name: "GP derive_key_dh",
	p: `
			e001e8967db49353e16f8e89220ccefc5c5f12e3dff8f1d1499012e6ef53e31f
			02eacc5addf3378935c95b21ea3d6f1cd7ce637552ec386c0e34f736ad9517ef
			fe5e4da7a86af90e2c228fe4b9e6d8f8f02d20af78abb692acbc4b23faf2c5cc
			d49a0c9a8bcd91ac0c559201e6c2fd1f47c2cb2a88a83c210fc054db292dbc45`,
	g:  "1ce0f66926461197ef45c4658b83b8ab",
	xA: "538d3d64274a40059b9c26e913e69153237b5583",
	yA: `
			bbe918dd4b2b941b100e88352868fc620438a6db32a69eee6c6f451ca3a6d537
			77755bc1370acefe2b8f13a9142c5b4415788630d695b1922063a3cf9def6561
			274d2401e7a145f2d8b93a4517f419d05ef8cb3559379d0420a3bf02adfea860
			b2c3ee855890f3b5572bb4efd78f3768787c71529d5e0a614f09899239f74b01`,
	yB: `
			a3f57dbe9e2f0adaa94e4e6af0e071470e2e412ede732a6214c37c26d4e99a54
			ba3de74985950ee914b2902291dcff61b2fcd1d01b1114b602642b265d88ea8d
			bbe2070b48fb0153551e595136f2f9d197fb6612845dedb89b2d3e2b8ceb2a72
			409d554cedeb5502ff8cb02e03653f41b1aca3306bff6df46de6e10f867c4364`,
	z: `
			4e6acffd7d142765ebf4c712414fe4b6ab957f4cb466b46601289bb820604282
			72842ee28f113cd11f39431cbffd823254ce472e2105e49b3d7f113b825076e6
			264585807bc46454665f27c5e4e1a4bd03470486322981fdc894cca1e2930987
			c92c15a38bc42eb38810e867c4432f07259ec00cdbbb0fb99e1727c706da58dd`,
}

func TestDHGPVector(t *testing.T) {
	v := gpDHVector
	attrs := dhPair(t, v, v.xA, v.yA)
	bits, err := CheckAttributes(tee.TypeDHKeypair, 1024, attrs)
	if err != nil {
		t.Fatalf("CheckAttributes of the GP DH key pair: %v; OP-TEE accepts it", err)
	}
	key := &Key{Type: tee.TypeDHKeypair, Size: bits, Usage: tee.UsageAll, Attrs: attrs}
	op := keyedMax(t, tee.AlgDHDeriveSharedSecret, tee.ModeDerive, key, 1024)
	got, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrDHPublicValue, Ref: unhex(t, v.yB)}})
	if want := unhex(t, v.z); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("DeriveKey = %x, %v; want %x", got, err, want)
	}
}
