package ta

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/gotee/gotee/internal/crypto"
	"github.com/gotee/gotee/tee"
)

// This file is the TEE Arithmetical API (Internal Core API 1.3.1 §8): TEE_BigInt,
// TEE_BigIntFMM and TEE_BigIntFMMContext over math/big.

// maxBigIntBits is gpd.tee.arith.maxBigIntSize (internal/core/teeprops.go).
const maxBigIntBits = 4096

// bigIntPanic is the code OP-TEE's libutee passes to TEE_Panic for every misuse of the
// arithmetical API ("BIGINT", lib/libutee/tee_api_arith_mpi.c); we panic with the same.
const bigIntPanic tee.Result = 0x00B16127

// arithPanic is misuse with OP-TEE's arithmetic panic code instead of BAD_PARAMETERS.
func arithPanic(fn, format string, args ...any) {
	panic(&crypto.MisuseError{Op: fn, Reason: fmt.Sprintf(format, args...), Code: bigIntPanic})
}

func checkBits(fn string, n int) {
	if n < 0 || n > maxBigIntBits {
		arithPanic(fn, "%d bits is outside [0, %d] (gpd.tee.arith.maxBigIntSize)", n, maxBigIntBits)
	}
}

// BigInt is a TEE_BigInt (§8.1): a signed integer with a fixed capacity, chosen when
// it is allocated, of up to gpd.tee.arith.maxBigIntSize (4096) bits.
//
// The methods keep GP's calling convention so that a C TA ports line by line: the
// receiver is GP's destination, the arguments are its operands in GP's order, and any
// of them may be the same BigInt. TEE_BigIntAdd(dest, op1, op2) is dest.Add(op1, op2).
// As in GP, a result that does not fit its destination is a panic (TEE_Panic), except
// in the functions GP gives TEE_ERROR_OVERFLOW (ConvertFromOctetString, Assign, Abs and
// SetBit); so are a zero divisor and a modulus GP forbids. Panics carry the code
// OP-TEE uses for them, 0xB16127.
//
// There is no negative zero: GP's sign rules make -0 indistinguishable from 0 (it
// compares equal to 0, converts to 0 and has no bits), and so it is 0 here.
//
// BigInt is built on math/big and is not constant time, which GP does not require of
// this API; a TA that handles secrets should use the cryptographic operations (RSA,
// DH, ECC) instead, which run in constant time where Go's crypto does. A BigInt is not
// safe for concurrent use. Its zero value is a BigInt of capacity 0, which holds only 0.
type BigInt struct {
	v     big.Int
	words int // capacity in 32-bit words, as TEE_BigIntInit's len minus OP-TEE's header
}

// NewBigInt returns a BigInt of value 0 that holds integers of up to bits bits,
// rounded up to whole 32-bit words. It is TEE_BigIntInit on a buffer of
// TEE_BigIntSizeInU32(bits) words: a C TA's len of n words is (n-2)*32 bits here. A
// capacity above gpd.tee.arith.maxBigIntSize (4096 bits), or a negative one, is a panic.
func NewBigInt(bits int) *BigInt {
	checkBits("TEE_BigIntInit", bits)
	return &BigInt{words: (bits + 31) / 32}
}

// String formats the value in hexadecimal, for logs and test failures.
func (x *BigInt) String() string { return x.v.Text(16) }

func (x *BigInt) fits(v *big.Int) bool { return v.BitLen() <= 32*x.words }

// store sets z to v, panicking (as GP's void functions do) if v does not fit. z is
// left alone on the panic.
func (z *BigInt) store(fn string, v *big.Int) {
	if !z.fits(v) {
		arithPanic(fn, "a %d-bit result does not fit a %d-bit destination", v.BitLen(), 32*z.words)
	}
	z.v.Set(v)
}

// assign is store for the functions that return TEE_ERROR_OVERFLOW instead.
func (z *BigInt) assign(v *big.Int) error {
	if !z.fits(v) {
		return tee.ErrOverflow
	}
	z.v.Set(v)
	return nil
}

// ConvertFromOctetString sets z to the big-endian unsigned integer in buf, negated if
// sign is negative (TEE_BigIntConvertFromOctetString). Leading zero bytes do not count
// towards the size. A value beyond z's capacity returns tee.ErrOverflow and leaves z
// unchanged.
func (z *BigInt) ConvertFromOctetString(buf []byte, sign int) error {
	var t big.Int
	t.SetBytes(buf)
	if sign < 0 {
		t.Neg(&t)
	}
	return z.assign(&t)
}

// ConvertToOctetString writes |x| to buf big-endian in the fewest bytes (none for 0)
// and returns their number (TEE_BigIntConvertToOctetString); the sign is not written.
// A buf too short returns the size needed with tee.ErrShortBuffer.
func (x *BigInt) ConvertToOctetString(buf []byte) (int, error) {
	n := (x.v.BitLen() + 7) / 8
	if len(buf) < n {
		return n, tee.ErrShortBuffer
	}
	x.v.FillBytes(buf[:n])
	return n, nil
}

// ConvertFromS32 sets z to v (TEE_BigIntConvertFromS32); a z of capacity 0 and v != 0
// is a panic.
func (z *BigInt) ConvertFromS32(v int32) {
	z.store("TEE_BigIntConvertFromS32", big.NewInt(int64(v)))
}

// ConvertToS32 returns x as an int32 (TEE_BigIntConvertToS32), or tee.ErrOverflow if
// it does not fit one.
func (x *BigInt) ConvertToS32() (int32, error) {
	if !x.v.IsInt64() {
		return 0, tee.ErrOverflow
	}
	v := x.v.Int64()
	if int64(int32(v)) != v {
		return 0, tee.ErrOverflow
	}
	return int32(v), nil
}

// Cmp returns -1, 0 or +1 as x is less than, equal to or greater than y (TEE_BigIntCmp).
func (x *BigInt) Cmp(y *BigInt) int { return x.v.Cmp(&y.v) }

// CmpS32 compares x with v (TEE_BigIntCmpS32), as Cmp does.
func (x *BigInt) CmpS32(v int32) int {
	var t big.Int
	return x.v.Cmp(t.SetInt64(int64(v)))
}

// ShiftRight sets z to x shifted right by n bits in magnitude, keeping x's sign, as GP
// defines it: |z| = |x| >> n (TEE_BigIntShiftRight). So -5 >> 1 is -2, not the -3
// that an arithmetic shift gives; shifting out every bit gives 0.
func (z *BigInt) ShiftRight(x *BigInt, n uint) {
	var t big.Int
	t.Rsh(t.Abs(&x.v), n)
	if x.v.Sign() < 0 {
		t.Neg(&t)
	}
	z.store("TEE_BigIntShiftRight", &t)
}

// Bit reports whether bit i of |x| is 1 (TEE_BigIntGetBit); bits beyond the value are
// 0. A negative i is a panic.
func (x *BigInt) Bit(i int) bool {
	if i < 0 {
		arithPanic("TEE_BigIntGetBit", "negative bit index %d", i)
	}
	w := x.v.Bits() // the magnitude, little-endian
	if i/bits.UintSize >= len(w) {
		return false
	}
	return w[i/bits.UintSize]>>(uint(i)%bits.UintSize)&1 == 1
}

// BitCount returns the number of bits of |x|, 0 for 0 (TEE_BigIntGetBitCount).
func (x *BigInt) BitCount() int { return x.v.BitLen() }

// SetBit sets bit i of |z| to value, keeping z's sign (TEE_BigIntSetBit, GP 1.3.1).
// Setting a bit beyond z's capacity returns tee.ErrOverflow and leaves z unchanged;
// clearing one does nothing. A negative i is a panic.
func (z *BigInt) SetBit(i int, value bool) error {
	if i < 0 {
		arithPanic("TEE_BigIntSetBit", "negative bit index %d", i)
	}
	var b uint
	if value {
		b = 1
	}
	var t big.Int
	t.Abs(&z.v)
	t.SetBit(&t, i, b)
	if z.v.Sign() < 0 {
		t.Neg(&t)
	}
	return z.assign(&t)
}

// Assign sets z to x (TEE_BigIntAssign); if x does not fit z it returns
// tee.ErrOverflow and leaves z unchanged.
func (z *BigInt) Assign(x *BigInt) error { return z.assign(&x.v) }

// Abs sets z to |x| (TEE_BigIntAbs), returning tee.ErrOverflow as Assign does.
func (z *BigInt) Abs(x *BigInt) error {
	var t big.Int
	return z.assign(t.Abs(&x.v))
}

// Neg sets z to -x (TEE_BigIntNeg).
func (z *BigInt) Neg(x *BigInt) {
	var t big.Int
	z.store("TEE_BigIntNeg", t.Neg(&x.v))
}

// Add sets z to x + y (TEE_BigIntAdd).
func (z *BigInt) Add(x, y *BigInt) {
	var t big.Int
	z.store("TEE_BigIntAdd", t.Add(&x.v, &y.v))
}

// Sub sets z to x - y (TEE_BigIntSub).
func (z *BigInt) Sub(x, y *BigInt) {
	var t big.Int
	z.store("TEE_BigIntSub", t.Sub(&x.v, &y.v))
}

// Mul sets z to x * y (TEE_BigIntMul).
func (z *BigInt) Mul(x, y *BigInt) {
	var t big.Int
	z.store("TEE_BigIntMul", t.Mul(&x.v, &y.v))
}

// Square sets z to x * x (TEE_BigIntSquare).
func (z *BigInt) Square(x *BigInt) {
	var t big.Int
	z.store("TEE_BigIntSquare", t.Mul(&x.v, &x.v))
}

// BigIntDiv divides x by y as C does (TEE_BigIntDiv): the quotient q is rounded
// towards zero and the remainder r = x - q*y has the sign of x, so -53 / 7 is -7
// remainder -4. Either q or r may be nil when it is not wanted, but they may not be the
// same BigInt. A zero divisor is a panic, as is a result that does not fit.
func BigIntDiv(q, r, x, y *BigInt) {
	const fn = "TEE_BigIntDiv"
	if q != nil && q == r {
		arithPanic(fn, "the quotient and the remainder are the same BigInt")
	}
	if y.v.Sign() == 0 {
		arithPanic(fn, "division by zero")
	}
	var qt, rt big.Int
	qt.QuoRem(&x.v, &y.v, &rt)
	// Check both before writing either, since x or y may be q or r.
	if q != nil && !q.fits(&qt) {
		arithPanic(fn, "a %d-bit quotient does not fit a %d-bit destination", qt.BitLen(), 32*q.words)
	}
	if r != nil && !r.fits(&rt) {
		arithPanic(fn, "a %d-bit remainder does not fit a %d-bit destination", rt.BitLen(), 32*r.words)
	}
	if q != nil {
		q.v.Set(&qt)
	}
	if r != nil {
		r.v.Set(&rt)
	}
}

// checkModulus panics unless n >= 2, GP's rule for every modular function.
func checkModulus(fn string, n *BigInt) {
	if n.v.Sign() < 0 || n.v.BitLen() < 2 {
		arithPanic(fn, "the modulus %s is less than 2", n.v.Text(16))
	}
}

// Mod sets z to x mod n, in [0, n-1] whatever the sign of x, so -1 mod n is n-1
// (TEE_BigIntMod). A modulus less than 2 is a panic.
func (z *BigInt) Mod(x, n *BigInt) {
	const fn = "TEE_BigIntMod"
	checkModulus(fn, n)
	var t big.Int
	z.store(fn, t.Mod(&x.v, &n.v))
}

// AddMod sets z to (x + y) mod n (TEE_BigIntAddMod). GP asks for x and y in
// [0, n-1]; others are reduced too, as OP-TEE does. A modulus less than 2 is a panic.
func (z *BigInt) AddMod(x, y, n *BigInt) {
	const fn = "TEE_BigIntAddMod"
	checkModulus(fn, n)
	var t big.Int
	t.Add(&x.v, &y.v)
	z.store(fn, t.Mod(&t, &n.v))
}

// SubMod sets z to (x - y) mod n (TEE_BigIntSubMod), as AddMod.
func (z *BigInt) SubMod(x, y, n *BigInt) {
	const fn = "TEE_BigIntSubMod"
	checkModulus(fn, n)
	var t big.Int
	t.Sub(&x.v, &y.v)
	z.store(fn, t.Mod(&t, &n.v))
}

// MulMod sets z to (x * y) mod n (TEE_BigIntMulMod), as AddMod.
func (z *BigInt) MulMod(x, y, n *BigInt) {
	const fn = "TEE_BigIntMulMod"
	checkModulus(fn, n)
	var t big.Int
	t.Mul(&x.v, &y.v)
	z.store(fn, t.Mod(&t, &n.v))
}

// SquareMod sets z to (x * x) mod n (TEE_BigIntSquareMod), as AddMod.
func (z *BigInt) SquareMod(x, n *BigInt) {
	const fn = "TEE_BigIntSquareMod"
	checkModulus(fn, n)
	var t big.Int
	t.Mul(&x.v, &x.v)
	z.store(fn, t.Mod(&t, &n.v))
}

// InvMod sets z to the inverse of x modulo n, in [1, n-1] (TEE_BigIntInvMod). A
// modulus less than 2, x = 0, or an x that has no inverse (gcd(x, n) != 1, for which
// GP's result is "unreliable") is a panic, as in OP-TEE; check with RelativePrime first.
func (z *BigInt) InvMod(x, n *BigInt) {
	const fn = "TEE_BigIntInvMod"
	checkModulus(fn, n)
	if x.v.Sign() == 0 {
		arithPanic(fn, "inverting zero")
	}
	var t big.Int
	if t.ModInverse(&x.v, &n.v) == nil {
		arithPanic(fn, "%s has no inverse modulo %s", x.v.Text(16), n.v.Text(16))
	}
	z.store(fn, &t)
}

// ExpMod sets z to x**e mod n, in [0, n-1] (TEE_BigIntExpMod, GP 1.3.1). ctx may be
// nil; if it is not, it must be n's FMM context. As in OP-TEE, a modulus of 2 or less
// is a panic and an even one returns tee.ErrNotSupported; a negative exponent is a
// panic. A negative x is reduced modulo n first.
func (z *BigInt) ExpMod(x, e, n *BigInt, ctx *FMMContext) error {
	const fn = "TEE_BigIntExpMod"
	if n.v.Cmp(big.NewInt(2)) <= 0 {
		arithPanic(fn, "the modulus %s is not larger than 2", n.v.Text(16))
	}
	if ctx != nil {
		ctx.check(fn, n)
	}
	if n.v.Bit(0) == 0 {
		return tee.ErrNotSupported
	}
	if e.v.Sign() < 0 {
		arithPanic(fn, "negative exponent")
	}
	var t big.Int
	z.store(fn, t.Exp(&x.v, &e.v, &n.v))
	return nil
}

// RelativePrime reports whether gcd(x, y) = 1 (TEE_BigIntRelativePrime). Signs do not
// matter; gcd(0, 0) is 0.
func (x *BigInt) RelativePrime(y *BigInt) bool {
	var g big.Int
	g.GCD(nil, nil, &x.v, &y.v)
	return g.BitLen() == 1
}

// ComputeExtendedGcd sets z to gcd(x, y), which is never negative, and, where they are
// not nil, u and v to coefficients with u*x + v*y = z (TEE_BigIntComputeExtendedGcd).
// The coefficients carry the operands' signs and are the small ones Euclid's algorithm
// gives (|u| <= |y|/z, |v| <= |x|/z), so they fit BigInts the size of the operands;
// when |x| = |y|, u is ±1 and v is 0, as in OP-TEE, and gcd(0, 0) is 0. The
// coefficients of other pairs may differ from OP-TEE's (any pair satisfying the
// identity is correct under GP). A result that does not fit is a panic.
func (z *BigInt) ComputeExtendedGcd(u, v, x, y *BigInt) {
	const fn = "TEE_BigIntComputeExtendedGcd"
	var g, a, b big.Int
	switch {
	case u == nil && v == nil:
		g.GCD(nil, nil, &x.v, &y.v)
	case x.v.CmpAbs(&y.v) == 0:
		g.Abs(&x.v)
		a.SetInt64(1)
		if x.v.Sign() < 0 {
			a.Neg(&a)
		}
	default:
		g.GCD(&a, &b, &x.v, &y.v)
	}
	// Check every destination before writing any, since x or y may be one of them.
	for _, d := range []struct {
		dst  *BigInt
		val  *big.Int
		what string
	}{{z, &g, "gcd"}, {u, &a, "u"}, {v, &b, "v"}} {
		if d.dst != nil && !d.dst.fits(d.val) {
			arithPanic(fn, "a %d-bit %s does not fit a %d-bit destination", d.val.BitLen(), d.what, 32*d.dst.words)
		}
	}
	// OP-TEE's order of writing, for a TA that passes one BigInt twice.
	if u != nil {
		u.v.Set(&a)
	}
	if v != nil {
		v.v.Set(&b)
	}
	z.v.Set(&g)
}

// IsProbablePrime tests |x| for primality (TEE_BigIntIsProbablePrime) and returns GP's
// answer: 0 if it is composite, 1 if it is prime, and -1 if it is probably prime, with a
// probability below 2^-confidence that it is composite. Levels below 80 count as 80,
// as GP says.
//
// Values below 2^64 get a definite answer (Baillie-PSW, which is exact there). Larger
// ones that pass Baillie-PSW then get ceil(confidence/2) Miller-Rabin rounds with bases
// drawn from the TEE's random source, each of which a composite passes with probability
// at most 1/4, and return -1. OP-TEE returns 1 for probable primes too; a TA that
// compares the result with 1 should compare with 0 instead, as GP intends. The test
// costs about 0.3 s for a 2048-bit prime at level 80 and 1.5 s for a 4096-bit one.
func (x *BigInt) IsProbablePrime(confidence uint32) int {
	var m big.Int
	m.Abs(&x.v)
	if !m.ProbablyPrime(0) {
		return 0
	}
	if m.BitLen() <= 64 {
		return 1
	}
	level := max(confidence, 80)
	if !millerRabin(&m, level/2+level%2) {
		return 0
	}
	return -1
}

// millerRabin runs rounds of the Miller-Rabin test with uniformly random bases on an
// odd n > 2^64 and reports whether n passed them all.
func millerRabin(n *big.Int, rounds uint32) bool {
	one := big.NewInt(1)
	nm1 := new(big.Int).Sub(n, one)
	d := new(big.Int).Set(nm1)
	s := d.TrailingZeroBits()
	d.Rsh(d, s)
	span := new(big.Int).Sub(n, big.NewInt(3)) // bases in [2, n-2]
	var y big.Int
	for range rounds {
		a, err := rand.Int(rand.Reader, span)
		if err != nil {
			Panic(tee.ErrGeneric)
		}
		a.Add(a, big.NewInt(2))
		y.Exp(a, d, n)
		if y.Cmp(one) == 0 || y.Cmp(nm1) == 0 {
			continue
		}
		witness := true
		for j := uint(1); j < s && witness; j++ {
			y.Mul(&y, &y).Mod(&y, n)
			if y.Cmp(nm1) == 0 {
				witness = false
			} else if y.Cmp(one) == 0 {
				break
			}
		}
		if witness {
			return false
		}
	}
	return true
}

// FMMContext is a TEE_BigIntFMMContext (§8.11): what fast modular multiplication
// needs to know about a modulus. GP lets the representation of FMM values be anything;
// this TEE keeps them as plain residues in [0, n-1] and multiplies and reduces with
// math/big (a Montgomery layer written over math/big's multiplication would not be
// faster), so the context holds just the modulus. Use ExpMod for exponentiation: it
// uses math/big's own Montgomery exponentiation for odd moduli. A context is not
// modified after it is made and is safe for concurrent use.
type FMMContext struct {
	n big.Int
}

// NewFMMContext returns the FMM context of modulus (TEE_BigIntInitFMMContext1). GP
// requires every odd modulus above 2 to work; this TEE takes any modulus of at least 2,
// as OP-TEE does, and returns tee.ErrNotSupported for a smaller one.
func NewFMMContext(modulus *BigInt) (*FMMContext, error) {
	if modulus.v.Sign() < 0 || modulus.v.BitLen() < 2 {
		return nil, tee.ErrNotSupported
	}
	c := new(FMMContext)
	c.n.Set(&modulus.v)
	return c, nil
}

// check panics unless c is the context of n: GP leaves the result undefined otherwise.
func (c *FMMContext) check(fn string, n *BigInt) {
	if c == nil {
		arithPanic(fn, "no FMM context")
	}
	if c.n.Cmp(&n.v) != 0 {
		arithPanic(fn, "the FMM context is not that of the modulus %s", n.v.Text(16))
	}
}

// FMM is a TEE_BigIntFMM (§8.11): a value in the fast modular multiplication
// representation of some modulus. It is not safe for concurrent use.
type FMM struct {
	v     big.Int
	words int
}

// NewFMM returns an FMM of value 0 for a modulus of up to modulusBits bits
// (TEE_BigIntInitFMM on TEE_BigIntFMMSizeInU32(modulusBits) words). A size above
// gpd.tee.arith.maxBigIntSize, or a negative one, is a panic.
func NewFMM(modulusBits int) *FMM {
	checkBits("TEE_BigIntInitFMM", modulusBits)
	return &FMM{words: (modulusBits + 31) / 32}
}

func (z *FMM) store(fn string, v *big.Int) {
	if v.BitLen() > 32*z.words {
		arithPanic(fn, "a %d-bit value does not fit a %d-bit FMM", v.BitLen(), 32*z.words)
	}
	z.v.Set(v)
}

// ConvertToFMM sets z to src in the FMM representation of modulus n, whose context is
// ctx (TEE_BigIntConvertToFMM); src is reduced modulo n. A nil ctx, or the context of
// another modulus, is a panic.
func (z *FMM) ConvertToFMM(src, n *BigInt, ctx *FMMContext) {
	const fn = "TEE_BigIntConvertToFMM"
	ctx.check(fn, n)
	var t big.Int
	z.store(fn, t.Mod(&src.v, &n.v))
}

// ConvertFromFMM sets z to the value of src, an FMM of modulus n with context ctx
// (TEE_BigIntConvertFromFMM).
func (z *BigInt) ConvertFromFMM(src *FMM, n *BigInt, ctx *FMMContext) {
	const fn = "TEE_BigIntConvertFromFMM"
	ctx.check(fn, n)
	z.store(fn, &src.v)
}

// ComputeFMM sets z to x * y in the FMM representation of modulus n with context ctx
// (TEE_BigIntComputeFMM); x, y and z may be the same FMM.
func (z *FMM) ComputeFMM(x, y *FMM, n *BigInt, ctx *FMMContext) {
	const fn = "TEE_BigIntComputeFMM"
	ctx.check(fn, n)
	var t big.Int
	t.Mul(&x.v, &y.v)
	z.store(fn, t.Mod(&t, &n.v))
}
