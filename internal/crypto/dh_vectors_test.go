package crypto

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/gotee/gotee/tee"
)

// Finite-field DH against published key-agreement data. RFC 5114 Appendix A gives, for
// each of its groups, two key pairs and their shared secret; the groups (p, g, q) are
// RFC 5114 §2.1-2.3. The values here were taken from the copies in OpenSSL's
// test/dhtest.c (test data) and Bouncy Castle's DHStandardGroups (groups), which
// reproduce the RFC; the test checks y = g^x mod p for every pair, so a transcription
// error cannot pass silently.

type dhVector struct {
	name              string
	p, g, q           string // q empty: no TEE_ATTR_DH_SUBPRIME
	xA, yA, xB, yB, z string
}

var dhVectors = []dhVector{
	{
		name: "RFC5114 A.1 (1024-bit MODP group, 160-bit subgroup)",
		p: `
			b10b8f96a080e01dde92de5eae5d54ec52c99fbcfb06a3c69a6a9dca52d23b61
			6073e28675a23d189838ef1e2ee652c013ecb4aea906112324975c3cd49b83bf
			accbdd7d90c4bd7098488e9c219a73724effd6fae5644738faa31a4ff55bccc0
			a151af5f0dc8b4bd45bf37df365c1a65e68cfda76d4da708df1fb2bc2e4a4371`,
		g: `
			a4d1cbd5c3fd34126765a442efb99905f8104dd258ac507fd6406cff14266d31
			266fea1e5c41564b777e690f5504f213160217b4b01b886a5e91547f9e2749f4
			d7fbd7d3b9a92ee1909d0d2263f80a76a6a24c087a091f531dbf0a0169b6a28a
			d662a4d18e73afa32d779d5918d08bc8858f4dcef97c2a24855e6eeb22b3b2e5`,
		q:  "f518aa8781a8df278aba4e7d64b7cb9d49462353",
		xA: "b9a3b3ae8fefc1a2930496507086f8455d48943e",
		yA: `
			2a853b3d92197501b9015b2deb3ed84f5e021dcc3e52f109d3273d2b7521281c
			babe0e76ff5727fa8acce26956ba9a1fca26f20228d8693feb10841d84a73600
			54ece5a7f5b7a61ad3dfb3c60d2e43106d8727da37df9cce95b478755d06bcea
			8f9d45965f75a5f3d1df3701165fc9e50c4279ceb07f989540ae96d5d88ed776`,
		xB: "9392c9f9eb6a7a6a9022f7d83e7223c6835bbdda",
		yB: `
			717a6cb053371ff4a3b932941c1e5663f861a1d6ad34ae66576dfb98f6c6cbf9
			ddd5a56c7833f6bcfdff095582ad868e440e8d09fd769e3ceccdc3d3b1e4cfa0
			57776caaf9739b6a9fee8e7411f8d6dac09d6a4edb46cc2b5d5203090eae6126
			311e53fd2c14b574e6a3109a3da1be41bdceaa186f5ce06716a2b6a07b3c33fe`,
		z: `
			5c804f454d30d9c4df85271f93528c91df6b48ab5f80b3b59caac1b28f8acba9
			cd3e39f3cb614525d9521d2e644c53b807b810f340062f257d7d6fbfe8d5e8f0
			72e9b6e9afda9413eafb2e8b0699b1fb5a0caceddeaead7e9cfbb36ae2b42083
			5bd83a19fb0b5e96bf8fa4d09e345525167ecd9155416f46f408ed31b63c6e6d`,
	},
	{
		name: "RFC5114 A.2 (2048-bit MODP group, 224-bit subgroup)",
		p: `
			ad107e1e9123a9d0d660faa79559c51fa20d64e5683b9fd1b54b1597b61d0a75
			e6fa141df95a56dbaf9a3c407ba1df15eb3d688a309c180e1de6b85a1274a0a6
			6d3f8152ad6ac2129037c9edefda4df8d91e8fef55b7394b7ad5b7d0b6c12207
			c9f98d11ed34dbf6c6ba0b2c8bbc27be6a00e0a0b9c49708b3bf8a3170918836
			81286130bc8985db1602e714415d9330278273c7de31efdc7310f7121fd5a074
			15987d9adc0a486dcdf93acc44328387315d75e198c641a480cd86a1b9e587e8
			be60e69cc928b2b9c52172e413042e9b23f10b0e16e79763c9b53dcf4ba80a29
			e3fb73c16b8e75b97ef363e2ffa31f71cf9de5384e71b81c0ac4dffe0c10e64f`,
		g: `
			ac4032ef4f2d9ae39df30b5c8ffdac506cdebe7b89998caf74866a08cfe4ffe3
			a6824a4e10b9a6f0dd921f01a70c4afaab739d7700c29f52c57db17c620a8652
			be5e9001a8d66ad7c17669101999024af4d027275ac1348bb8a762d0521bc98a
			e247150422ea1ed409939d54da7460cdb5f6c6b250717cbef180eb34118e98d1
			19529a45d6f834566e3025e316a330efbb77a86f0c1ab15b051ae3d428c8f8ac
			b70a8137150b8eeb10e183edd19963ddd9e263e4770589ef6aa21e7f5f2ff381
			b539cce3409d13cd566afbb48d6c019181e1bcfe94b30269edfe72fe9b6aa4bd
			7b5a0f1c71cfff4c19c418e1f6ec017981bc087f2a7065b384b890d3191f2bfa`,
		q:  "801c0d34c58d93fe997177101f80535a4738cebcbf389a99b36371eb",
		xA: "22e62601dbffd06708a680f747f361f76d8f4f721a0548e483294b0c",
		yA: `
			1b3a63451bd886e699e67b494e288bd7f8e0d370badda7a0efd2fde7d8f66145
			cc9f280419975eb808877c8a4c0c8e0bd48d4a5401eb1e8776bfeee134c03831
			ac273cd9d635ab0ce006a42a887e3f52fb8766b650f38078bc8ee8580cefe243
			968cfc4f8dc3db084554171d41bf2e861b7bb4d69dd0e01ea387cbaa5ca672af
			cbe8bdb9d62d4ce15f17dd36f91ed1eedd65ca4a06455cb94cd40a52ec360e84
			b3c926e22c4380a3bf309d56849768b7f52cfdf655fd053a7ef706979e7e5806
			b17dfae53ad2a5bc568ebb529a7a61d68d256f8fc97c074a861d827e2ebc8c61
			34553115b70e7103920aa16d85e52bcbab8d786a68178fa8ff7c2f5c71648d6f`,
		xB: "4ff3bc96c7fc6a6d71d3b363800a7cdfef6fc41b4417ea15353b7590",
		yB: `
			4dcee992a9762a13f2f83844ad3d77ee0e31c9718b3db6c2035d3961182c3e0b
			a247ec4182d760cd48d99599970622a1881bba2dc822939c78c3912c6661fa54
			38b20766222b75e24c2e3ad0c7287236129525ee15b5dd7998aa04c4a9696cac
			d7172083a97a81664ead2c479e444e4c0654cc19e28d7703cee8dacd6126f5d6
			65ec52c67255db92014b037eb621a2ac8e365de071ffc1400acf077a12913dd8
			de89473437ab7ba346743c1b215dd9c12164a7e4053118d199bec8ef6fc56117
			0c84c87d10ee9a674a1fa8ffe13bdfba1d44de48946d68dc0cdd777635a7ab5b
			fb1e4bb7b856f96827734c184138e915d9c3002ebce53120546a7e2002142b6c`,
		z: `
			34d9bddc1b42176c313fea034c21034d074a6313bb4ecdb3703fff424567a46b
			df75530ede0a9da5229de7d76732286cbc0f91da4c3c852fc099c679531d94c7
			8ab03d9decb0a4e4ca8b2bb4591c4021cf8ce3a20a541d33994017d0200ae2c9
			516e2ff5145779269e862b0fb474a2d56dc31ed569a7700b4c4ab16b22a45513
			531ef523d71212077b5a169bdeffad7ad9608284c7795b6d5a5183b87066de17
			d8d671c9ebd8ec89544d45ec061593d442c62ab9ce3b1cb9943a1d23a5ea3bcf
			21a01471e67e003e7f8a69c728be490b2fc88cfeb92db6a215e5d03c17c464c9
			ac1a46e203e13f952995fb03c69d3cc47fcb510b6998ffd3aa6de73cf9f63869`,
	},
	{
		name: "RFC5114 A.3 (2048-bit MODP group, 256-bit subgroup)",
		p: `
			87a8e61db4b6663cffbbd19c651959998ceef608660dd0f25d2ceed4435e3b00
			e00df8f1d61957d4faf7df4561b2aa3016c3d91134096faa3bf4296d830e9a7c
			209e0c6497517abd5a8a9d306bcf67ed91f9e6725b4758c022e0b1ef4275bf7b
			6c5bfc11d45f9088b941f54eb1e59bb8bc39a0bf12307f5c4fdb70c581b23f76
			b63acae1caa6b7902d52526735488a0ef13c6d9a51bfa4ab3ad8347796524d8e
			f6a167b5a41825d967e144e5140564251ccacb83e6b486f6b3ca3f7971506026
			c0b857f689962856ded4010abd0be621c3a3960a54e710c375f26375d7014103
			a4b54330c198af126116d2276e11715f693877fad7ef09cadb094ae91e1a1597`,
		g: `
			3fb32c9b73134d0b2e77506660edbd484ca7b18f21ef205407f4793a1a0ba125
			10dbc15077be463fff4fed4aac0bb555be3a6c1b0c6b47b1bc3773bf7e8c6f62
			901228f8c28cbb18a55ae31341000a650196f931c77a57f2ddf463e5e9ec144b
			777de62aaab8a8628ac376d282d6ed3864e67982428ebc831d14348f6f2f9193
			b5045af2767164e1dfc967c1fb3f2e55a4bd1bffe83b9c80d052b985d182ea0a
			db2a3b7313d3fe14c8484b1e052588b9b7d2bbd2df016199ecd06e1557cd0915
			b3353bbb64e0ec377fd028370df92b52c7891428cdc67eb6184b523d1db246c3
			2f63078490f00ef8d647d148d47954515e2327cfef98c582664b4c0f6cc41659`,
		q:  "8cf83642a709a097b447997640129da299b1a47d1eb3750ba308b0fe64f5fbd3",
		xA: "0881382cdb87660c6dc13e614938d5b9c8b2f248581cc5e31b35454397fce50e",
		yA: `
			2e9380c8323af97545bc4941deb0ec3742c62fe0ece824a6abdbe66c59bee024
			2911bfb967235ceba35ae13e4ec752be630b92dc4bde2847a9c62cb815274542
			1fb7eb60a63c0fe9159fcce726ce7cd8523d7450667ef840e4919121eb5f01c8
			c9b0d3d648a93bfb75689e8244ac134af544711ce79a02dcc34226684780dddc
			b498594106c37f5bc79856487af5ab022a2e5e42f09897c1a85a11ea0212af04
			d9b4cebc937c3c1a3e15a8a0342e337615c84e7fe3b8b9b87fb1e73a15af12a3
			0d746e06dfc34f290d797ce51aa13aa785bf6658aff5e4b093003cbeaf665b3c
			2e113a3a4e905269341dc0711426685f4ef37e868a8126ff3f2279b57ca67e29`,
		xB: "7d62a7e3ef36de617b13d1afb82c780d83a23bd4ee6705645121f371f546a53d",
		yB: `
			575f0351bd2b1b817448bdf87a6c362c1e289d3903a30b9832c5741fa250363e
			7acbc7f77f3dacbc1f131add8e03367eff8fbbb3e1c5784424809b25afe4d226
			2a1a6fd2fab64105ca30a674e07f7809852088632fc049233791ad4edd083a97
			8b883ee618bc5e0dd047415f2d95e683cf14826b5fbe10d3ce41c6c120c78ab2
			0008c698bf7f0bcab9d7f407bed0f43afb2970f57f8d12043963e66ddd320d59
			9ad9936c8f44137c08b180ec5e985cebe186f3d549677e80607331ee17af3380
			a725b0782317d7dd43f59d7af9568a9bb63a84d365f92244ed120988219302f4
			2924c7ca90b89d24f71b0ab697823d7deb1aff5b0e8e4a45d49f7f53757e1913`,
		z: `
			86c70bf8d0bb81bb01078a17219cb7d27203db2a19c877f1d1f19fd7d77ef225
			46a68f005ad52dc84553b78fc60330be51ea7c0672cac1515e4b35c047b9a551
			b88f39dc26da14a09ef74774d47c762dd177f9ed5bc2f11e52c879bd95098504
			cd9eecd8a8f9b3efbd1f008ac5853097d9d1837f2b18f77cd7be01af80a7c7b5
			ea3ca54cc02d0c116fee3f95bb87399385875d7e86747e676e728938acbff709
			8e05be4dcfb24052b83aeffb14783f029adbde7f53fae92084224090e007cee9
			4d4bf2bace9ffd4b57d2af7c724d0caa19bf0501f6f17b4aa10f425e3ea76080
			b4b9d6b3cefea115b2ceb8789bb8a3b0ea87febe63b6c8f846ec6db0c26c5d7c`,
	},
}

// dhPair is the attribute list of a DH key pair object, in the order a TA would pass
// to TEE_PopulateTransientObject.
func dhPair(tb testing.TB, v dhVector, x, y string) []tee.Attribute {
	tb.Helper()
	attrs := []tee.Attribute{
		{ID: tee.AttrDHPrime, Ref: unhex(tb, v.p)},
		{ID: tee.AttrDHBase, Ref: unhex(tb, v.g)},
		{ID: tee.AttrDHPublicValue, Ref: unhex(tb, y)},
		{ID: tee.AttrDHPrivateValue, Ref: unhex(tb, x)},
	}
	if v.q != "" {
		attrs = append(attrs, tee.Attribute{ID: tee.AttrDHSubprime, Ref: unhex(tb, v.q)})
	}
	return attrs
}

func TestDHVectors(t *testing.T) {
	for _, v := range dhVectors {
		t.Run(v.name, func(t *testing.T) {
			p, g := new(big.Int).SetBytes(unhex(t, v.p)), new(big.Int).SetBytes(unhex(t, v.g))
			want := unhex(t, v.z)
			sides := []struct{ x, y, peer string }{{v.xA, v.yA, v.yB}, {v.xB, v.yB, v.yA}}
			for i, s := range sides {
				// The published public value is g^x mod p: the vector is what it claims.
				x := new(big.Int).SetBytes(unhex(t, s.x))
				if y := new(big.Int).Exp(g, x, p); !bytes.Equal(y.Bytes(), unhex(t, s.y)) {
					t.Fatalf("side %d: g^x = %x, want %s", i, y, s.y)
				}
				attrs := dhPair(t, v, s.x, s.y)
				bits, err := CheckAttributes(tee.TypeDHKeypair, 2048, attrs)
				if err != nil || bits != p.BitLen() {
					t.Fatalf("side %d: CheckAttributes = %d, %v; want %d", i, bits, err, p.BitLen())
				}
				key := &Key{Type: tee.TypeDHKeypair, Size: bits, Usage: tee.UsageAll, Attrs: attrs}
				op := keyedMax(t, tee.AlgDHDeriveSharedSecret, tee.ModeDerive, key, bits)
				got, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrDHPublicValue, Ref: unhex(t, s.peer)}})
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("side %d: DeriveKey = %x, %v; want %x", i, got, err, want)
				}
				// A public value that does not match the private one is accepted, as
				// OP-TEE accepts it (dh_gp_vector_test.go): derivation uses x alone, so
				// the secret is still the one x gives.
				odd := dhPair(t, v, s.x, s.peer)
				if _, err := CheckAttributes(tee.TypeDHKeypair, 2048, odd); err != nil {
					t.Errorf("side %d: key pair with the peer's public value: %v, want it accepted", i, err)
				}
			}
			if v.q == "" {
				return
			}
			// With a subprime the peer's value must be in the order-q subgroup: p-1 has
			// order 2 and is refused whatever the range check says.
			key := populated(t, tee.TypeDHKeypair, dhPair(t, v, v.xA, v.yA))
			op := keyedMax(t, tee.AlgDHDeriveSharedSecret, tee.ModeDerive, key, key.Size)
			// g*y_B is in the subgroup only if g is, i.e. always; y_B+1 is not.
			notInSubgroup := new(big.Int).Add(new(big.Int).SetBytes(unhex(t, v.yB)), bigOne).Bytes()
			if _, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrDHPublicValue, Ref: notInSubgroup}}); !isResult(err, tee.ErrBadParameters) {
				t.Errorf("peer value outside the subgroup: %v, want BAD_PARAMETERS", err)
			}
		})
	}
}

// DeriveKey returns the shared secret without leading zero bytes, as OP-TEE does (its
// TEE_DeriveKey sets TEE_ATTR_SECRET_VALUE to the big number's minimal encoding); doc.go
// says so. The RFC 5114 secrets all have a nonzero first byte, so this finds peer values
// g^k whose secret with x_A starts with a zero byte, on the A.1 group.
func TestDHSecretStripsLeadingZeros(t *testing.T) {
	v := dhVectors[0]
	p, g := new(big.Int).SetBytes(unhex(t, v.p)), new(big.Int).SetBytes(unhex(t, v.g))
	x := new(big.Int).SetBytes(unhex(t, v.xA))
	key := populated(t, tee.TypeDHKeypair, dhPair(t, v, v.xA, v.yA))
	op := keyedMax(t, tee.AlgDHDeriveSharedSecret, tee.ModeDerive, key, key.Size)
	size := (p.BitLen() + 7) / 8
	found := 0
	for k := int64(2); found < 2 && k < 1<<14; k++ {
		peer := new(big.Int).Exp(g, big.NewInt(k), p)
		z := new(big.Int).Exp(peer, x, p)
		if len(z.Bytes()) == size {
			continue
		}
		found++
		got, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrDHPublicValue, Ref: peer.Bytes()}})
		if err != nil || !bytes.Equal(got, z.Bytes()) {
			t.Fatalf("k=%d: DeriveKey = %x, %v; want %x (%d bytes)", k, got, err, z.Bytes(), len(z.Bytes()))
		}
	}
	if found == 0 {
		t.Fatal("no secret with a leading zero byte found")
	}
}
