package crypto

import (
	"bytes"
	"testing"

	"github.com/cloudflare/circl/dh/x448"

	"github.com/gotee/gotee/tee"
)

// RFC 8032 §7.4 (Ed448) and §7.5 (Ed448ph): Ed448 is deterministic, so signing must give
// the published signature exactly.
func TestEd448RFC8032(t *testing.T) {
	for _, tc := range []struct {
		name, seed, pub, msg, ctx, sig string
		ph                             bool
	}{
		{"blank", "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b",
			"5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180", "", "",
			"533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600", false},
		{"1 octet", "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e",
			"43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480", "03", "",
			"26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00", false},
		{"1 octet with context", "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e",
			"43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480", "03", "666f6f",
			"d4f8f6131770dd46f40867d6fd5d5055de43541f8c5e35abbcd001b32a89f7d2151f7647f11d8ca2ae279fb842d607217fce6e042f6815ea000c85741de5c8da1144a6a1aba7f96de42505d7a7298524fda538fccbbb754f578c1cad10d54d0d5428407e85dcbc98a49155c13764e66c3c00", false},
		{"11 octets", "cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd02184bdb89c4ccd67e187951267eb328",
			"dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a543ea4cb5f7e9f1d8b00696447001400", "0c3e544074ec63b0265e0c", "",
			"1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5cdfb7c55e94d5d961a29fe0109941e00b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47b51fd3f213fb8698f064774250a5028961c9bf8ffd973fe5d5c206492b140e00", false},
		{"ph abc", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde69e3ab2cec7c867c6e2c49",
			"259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132c276d5ed3d5d01c0f53880", "616263", "",
			"822f6901f7480f3d5f562c592994d9693602875614483256505600bbc281ae381f54d6bce2ea911574932f52a4e6cadd78769375ec3ffd1b801a0d9b3f4030cd433964b6457ea39476511214f97469b57dd32dbc560a9a94d00bff07620464a3ad203df7dc7ce360c3cd3696d9d9fab90f00", true},
		{"ph abc with context", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42ef7822e0d5104127dc05d6dbefde69e3ab2cec7c867c6e2c49",
			"259b71c19f83ef77a7abd26524cbdb3161b590a48f7d17de3ee0ba9c52beb743c09428a131d6b1b57303d90d8132c276d5ed3d5d01c0f53880", "616263", "666f6f",
			"c32299d46ec8ff02b54540982814dce9a05812f81962b649d528095916a2aa481065b1580423ef927ecf0af5888f90da0f6a9a85ad5dc3f280d91224ba9911a3653d00e484e2ce232521481c8658df304bb7745a73514cdb9bf3e15784ab71284f8d0704a608c54a6b62d97beb511d132100", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pair := populated(t, tee.TypeEd448Keypair, []tee.Attribute{
				{ID: tee.AttrEd448PrivateValue, Ref: unhex(t, tc.seed)},
				{ID: tee.AttrEd448PublicValue, Ref: unhex(t, tc.pub)},
			})
			if pair.Size != 448 {
				t.Fatalf("size %d", pair.Size)
			}
			var params []tee.Attribute
			if tc.ctx != "" {
				params = append(params, tee.Attribute{ID: tee.AttrEdDSACtx, Ref: unhex(t, tc.ctx)})
			}
			if tc.ph {
				params = append(params, tee.Attribute{ID: tee.AttrEdDSAPrehash, A: 1})
			}
			s := keyed(t, tee.AlgEd448, tee.ModeSign, pair)
			sig := make([]byte, 114)
			if n, err := s.AsymmetricSignDigest(sig, params, unhex(t, tc.msg)); err != nil || n != 114 || !bytes.Equal(sig, unhex(t, tc.sig)) {
				t.Fatalf("sign: %x, %d, %v", sig, n, err)
			}
			signVerify(t, tee.AlgEd448, pair, publicPart(pair, tee.TypeEd448PublicKey), params, unhex(t, tc.msg))
			// Another variant or context does not verify the signature.
			v := keyed(t, tee.AlgEd448, tee.ModeVerify, publicPart(pair, tee.TypeEd448PublicKey))
			other := []tee.Attribute{{ID: tee.AttrEdDSACtx, Ref: []byte("bar")}}
			if !tc.ph {
				other = append(other, tee.Attribute{ID: tee.AttrEdDSAPrehash, A: 1})
			}
			if err := v.AsymmetricVerifyDigest(other, unhex(t, tc.msg), sig); !isResult(err, tee.ErrSignatureInvalid) {
				t.Fatalf("other variant: %v", err)
			}
		})
	}
}

func TestWycheproofEd448(t *testing.T) {
	wp := loadWPAsym(t, "ed448_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		key := populated(t, tee.TypeEd448PublicKey, []tee.Attribute{{ID: tee.AttrEd448PublicValue, Ref: unhex(t, wpStr(t, g.PublicKey, "pk"))}})
		op := keyed(t, tee.AlgEd448, tee.ModeVerify, key)
		for _, tc := range g.Tests {
			err := op.AsymmetricVerifyDigest(nil, unhex(t, tc.Msg), unhex(t, tc.Sig))
			if (err == nil) != tc.valid() || err != nil && !isResult(err, tee.ErrSignatureInvalid) {
				t.Errorf("tc %d (%s): %v, want %s", tc.TcID, tc.Comment, err, tc.Result)
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
}

func x448KeyFromPrivate(tb testing.TB, priv []byte) *Key {
	tb.Helper()
	var d, p x448.Key
	copy(d[:], priv)
	x448.KeyGen(&p, &d)
	return populated(tb, tee.TypeX448Keypair, []tee.Attribute{
		{ID: tee.AttrX448PrivateValue, Ref: priv},
		{ID: tee.AttrX448PublicValue, Ref: p[:]},
	})
}

func TestWycheproofX448(t *testing.T) {
	wp := loadWPAsym(t, "x448_test.json")
	ran := 0
	for _, g := range wp.TestGroups {
		for _, tc := range g.Tests {
			op := keyed(t, tee.AlgX448, tee.ModeDerive, x448KeyFromPrivate(t, unhex(t, tc.Private)))
			s, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrX448PublicValue, Ref: unhex(t, tc.Public)}})
			shared := unhex(t, tc.Shared)
			switch {
			case bytes.Equal(shared, make([]byte, 56)):
				// Low-order points: refused, as for X25519 (RFC 7748 §6.2).
				if !isResult(err, tee.ErrBadParameters) {
					t.Errorf("tc %d (%s): %x, %v; want BAD_PARAMETERS", tc.TcID, tc.Comment, s, err)
				}
			case tc.Result == "invalid":
				if !isResult(err, tee.ErrBadParameters) {
					t.Errorf("tc %d (%s): %x, %v; want BAD_PARAMETERS", tc.TcID, tc.Comment, s, err)
				}
			case err != nil || !bytes.Equal(s, shared):
				t.Errorf("tc %d (%s, %s): %x, %v; want %x", tc.TcID, tc.Comment, tc.Result, s, err, shared)
			}
			ran++
		}
	}
	t.Logf("%d vectors", ran)
}

func TestCurve448Keys(t *testing.T) {
	// Generated keys populate back and agree; a public value of the wrong length, or a
	// private value that does not give the public one, is not a key.
	xa, xb := generated(t, tee.TypeX448Keypair, 448), generated(t, tee.TypeX448Keypair, 448)
	pa, _ := attr(xa.Attrs, tee.AttrX448PublicValue)
	pb, _ := attr(xb.Attrs, tee.AttrX448PublicValue)
	if s1, s2 := derive(t, tee.AlgX448, xa, []tee.Attribute{pb}), derive(t, tee.AlgX448, xb, []tee.Attribute{pa}); !bytes.Equal(s1, s2) || len(s1) != 56 {
		t.Errorf("X448: %x != %x", s1, s2)
	}
	op := keyed(t, tee.AlgX448, tee.ModeDerive, xa)
	if _, err := op.DeriveKey([]tee.Attribute{{ID: tee.AttrX448PublicValue, Ref: pb.Ref[:55]}}); !isResult(err, tee.ErrBadParameters) {
		t.Errorf("55-byte peer: %v", err)
	}
	mustPanic(t, func() { op.DeriveKey([]tee.Attribute{{ID: tee.AttrX25519PublicValue, Ref: pb.Ref}}) })
	mustPanic(t, func() { op.DeriveKey(nil) })

	ed := generated(t, tee.TypeEd448Keypair, 448)
	signVerify(t, tee.AlgEd448, ed, publicPart(ed, tee.TypeEd448PublicKey), nil, []byte("Goldilocks"))
	// A key generated as 456 bits (the object then says 456) works as well, and its
	// attributes populate a 448-bit object.
	attrs, err := GenerateKey(tee.TypeEd448Keypair, 456, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bits, err := CheckAttributes(tee.TypeEd448Keypair, 456, attrs); bits != 448 || err != nil {
		t.Fatalf("CheckAttributes(456-bit generated key) = %d, %v", bits, err)
	}
	ed456 := &Key{Type: tee.TypeEd448Keypair, Size: 456, Usage: tee.UsageAll, Attrs: attrs}
	signVerify(t, tee.AlgEd448, ed456, publicPart(ed456, tee.TypeEd448PublicKey), []tee.Attribute{{ID: tee.AttrEdDSAPrehash, A: 1}}, nil)

	edPub, _ := attr(ed.Attrs, tee.AttrEd448PublicValue)
	edSeed, _ := attr(ed.Attrs, tee.AttrEd448PrivateValue)
	for _, tc := range []struct {
		name  string
		t     tee.ObjectType
		attrs []tee.Attribute
		err   error
		panic tee.Result
	}{
		{"Ed448 public", tee.TypeEd448PublicKey, []tee.Attribute{edPub}, nil, 0},
		{"Ed448 short public", tee.TypeEd448PublicKey, []tee.Attribute{{ID: tee.AttrEd448PublicValue, Ref: edPub.Ref[:56]}}, tee.ErrBadParameters, 0},
		{"Ed448 wrong seed", tee.TypeEd448Keypair, []tee.Attribute{{ID: tee.AttrEd448PrivateValue, Ref: make([]byte, 57)}, edPub}, tee.ErrBadParameters, 0},
		{"Ed448 pair", tee.TypeEd448Keypair, []tee.Attribute{edSeed, edPub}, nil, 0},
		{"Ed448 with an Ed25519 attribute", tee.TypeEd448PublicKey, []tee.Attribute{{ID: tee.AttrEd25519PublicValue, Ref: edPub.Ref}}, nil, tee.ErrItemNotFound},
		{"X448 wrong private", tee.TypeX448Keypair, []tee.Attribute{{ID: tee.AttrX448PrivateValue, Ref: make([]byte, 56)}, pa}, tee.ErrBadParameters, 0},
		{"X448 public", tee.TypeX448PublicKey, []tee.Attribute{pa}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.panic != 0 {
				if me := mustPanic(t, func() { CheckAttributes(tc.t, 456, tc.attrs) }); me.Code != tc.panic {
					t.Errorf("panic %v, want %v", me.Code, tc.panic)
				}
				return
			}
			bits, err := CheckAttributes(tc.t, 456, tc.attrs)
			if err != tc.err || err == nil && bits != 448 {
				t.Errorf("= %d, %v; want 448, %v", bits, err, tc.err)
			}
		})
	}
	for _, tc := range []struct {
		t    tee.ObjectType
		bits int
		ok   bool
	}{
		{tee.TypeEd448Keypair, 448, true}, {tee.TypeEd448Keypair, 456, true}, {tee.TypeEd448PublicKey, 452, false},
		{tee.TypeX448Keypair, 448, true}, {tee.TypeX448PublicKey, 456, false},
	} {
		if got := ValidObjectSize(tc.t, tc.bits); got != tc.ok {
			t.Errorf("ValidObjectSize(0x%08x, %d) = %v", uint32(tc.t), tc.bits, got)
		}
	}
	for _, tc := range []struct {
		alg tee.Algorithm
		e   tee.Element
		ok  bool
	}{
		{tee.AlgEd448, tee.Curve448, true}, {tee.AlgX448, tee.Curve448, true},
		{tee.AlgEd448, tee.Curve25519, false}, {tee.AlgX448, tee.ElementNone, false},
	} {
		if err := IsAlgorithmSupported(tc.alg, tc.e); (err == nil) != tc.ok {
			t.Errorf("IsAlgorithmSupported(%v, %#x) = %v", tc.alg, tc.e, err)
		}
	}
	// A context over 255 bytes, or a second one, panics as for Ed25519.
	s := keyed(t, tee.AlgEd448, tee.ModeSign, ed)
	sig := make([]byte, 114)
	mustPanic(t, func() {
		s.AsymmetricSignDigest(sig, []tee.Attribute{{ID: tee.AttrEdDSACtx, Ref: make([]byte, 256)}}, nil)
	})
	mustPanic(t, func() { s.AsymmetricSignDigest(nil, []tee.Attribute{{ID: tee.AttrEdDSAPrehash, A: 2}}, nil) })
	if n, err := s.AsymmetricSignDigest(sig[:113], nil, nil); n != 114 || !isResult(err, tee.ErrShortBuffer) {
		t.Errorf("short buffer: %d, %v", n, err)
	}
}
