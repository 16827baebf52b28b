package ta_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotee/gotee/internal/crypto"
	"github.com/gotee/gotee/ta"
	"github.com/gotee/gotee/tee"
)

// Known-answer data marked "xtest 41xx" comes from OP-TEE's optee_test,
// host/xtest/regression_4100.c (commit df9d5879de84c556fd5fd25dd5578d77ecfa5cd4), the
// tests of OP-TEE's TEE_BigInt implementation; only the data is taken.

// bigIntPanic is the code OP-TEE's arithmetic API panics with.
const bigIntPanic tee.Result = 0xB16127

// num makes a BigInt of capacity bits from a hexadecimal string with an optional '-',
// through ConvertFromOctetString, as xtest's convert_from_string does.
func num(tb testing.TB, bits int, s string) *ta.BigInt {
	tb.Helper()
	x := ta.NewBigInt(bits)
	sign := 1
	if strings.HasPrefix(s, "-") {
		sign, s = -1, s[1:]
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("bad test number %q: %v", s, err)
	}
	if err := x.ConvertFromOctetString(b, sign); err != nil {
		tb.Fatalf("ConvertFromOctetString(%q): %v", s, err)
	}
	return x
}

// ref is the math/big value of a test string.
func ref(tb testing.TB, s string) *big.Int {
	tb.Helper()
	v, ok := new(big.Int).SetString(strings.TrimSpace(s), 16)
	if !ok {
		tb.Fatalf("bad test number %q", s)
	}
	return v
}

// value reads a BigInt back as a math/big value, through the public API only.
func value(tb testing.TB, x *ta.BigInt) *big.Int {
	tb.Helper()
	buf := make([]byte, 512)
	n, err := x.ConvertToOctetString(buf)
	if err != nil {
		tb.Fatalf("ConvertToOctetString: %v", err)
	}
	v := new(big.Int).SetBytes(buf[:n])
	if x.CmpS32(0) < 0 {
		v.Neg(v)
	}
	return v
}

func wantValue(tb testing.TB, what string, x *ta.BigInt, want *big.Int) {
	tb.Helper()
	if got := value(tb, x); got.Cmp(want) != 0 {
		tb.Errorf("%s = %x, want %x", what, got, want)
	}
}

// mustPanic runs f and checks that it panics as a GP misuse with OP-TEE's code.
func mustPanic(tb testing.TB, f func()) {
	tb.Helper()
	defer func() {
		tb.Helper()
		r := recover()
		me, ok := r.(*crypto.MisuseError)
		switch {
		case r == nil:
			tb.Errorf("no panic")
		case !ok:
			tb.Errorf("panic with %T %v, want *crypto.MisuseError", r, r)
		case me.Code != bigIntPanic || me.Op == "" || me.Reason == "":
			tb.Errorf("panic %+v, want code 0xB16127 with the function and a reason", me)
		}
	}()
	f()
}

func TestBigIntAllocation(t *testing.T) {
	// xtest 4101 allocates 512, 0, 4096, 2048 and 2049 bits.
	for _, bits := range []int{0, 1, 32, 33, 512, 2048, 2049, 4096} {
		x := ta.NewBigInt(bits)
		if x.CmpS32(0) != 0 || x.BitCount() != 0 {
			t.Errorf("NewBigInt(%d) = %v, want 0", bits, x)
		}
		// The capacity is whole 32-bit words.
		words := (bits + 31) / 32
		full := new(big.Int).Lsh(big.NewInt(1), uint(32*words))
		full.Sub(full, big.NewInt(1))
		if err := x.ConvertFromOctetString(full.Bytes(), -1); err != nil {
			t.Errorf("NewBigInt(%d) does not hold %d bits: %v", bits, 32*words, err)
		}
		if err := x.SetBit(32*words, true); !errors.Is(err, tee.ErrOverflow) {
			t.Errorf("NewBigInt(%d) SetBit(%d) = %v, want OVERFLOW", bits, 32*words, err)
		}
	}
	for _, bits := range []int{-1, 4097, 8192} {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			mustPanic(t, func() { ta.NewBigInt(bits) })
			mustPanic(t, func() { ta.NewFMM(bits) })
		})
	}
	var zero ta.BigInt // capacity 0: holds only 0
	zero.ConvertFromS32(0)
	mustPanic(t, func() { zero.ConvertFromS32(1) })
}

func TestBigIntOctetString(t *testing.T) {
	// xtest 4102.
	for _, tc := range []struct {
		in   []byte
		sign int
		want string // the shortest form read back
	}{
		{[]byte{1, 2, 3, 4}, 1, "01020304"},
		{[]byte{1, 2, 3, 4, 5}, 1, "0102030405"},
		{[]byte{0x11, 0x22, 0x44, 0x55, 0x66, 0x77, 0x88}, 1, "11224455667788"},
		{[]byte{0, 1, 2, 3, 4}, 1, "01020304"},
		{[]byte{0, 1, 2, 3, 4}, -1, "01020304"},
		{[]byte{0x80}, -7, "80"},
		{[]byte{0x80}, 0, "80"}, // sign >= 0 is positive
		{nil, 1, ""},
		{[]byte{0, 0, 0}, 1, ""},
		{[]byte{0, 0}, -1, ""}, // negative zero is zero
	} {
		t.Run(fmt.Sprintf("%x/%d", tc.in, tc.sign), func(t *testing.T) {
			x := ta.NewBigInt(512)
			if err := x.ConvertFromOctetString(tc.in, tc.sign); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 10)
			n, err := x.ConvertToOctetString(buf)
			if err != nil || hex.EncodeToString(buf[:n]) != strings.ToLower(tc.want) {
				t.Errorf("read back %x, %v; want %s", buf[:n], err, tc.want)
			}
			wantSign := 0
			if tc.want != "" {
				wantSign = 1
				if tc.sign < 0 {
					wantSign = -1
				}
			}
			if got := x.CmpS32(0); got != wantSign {
				t.Errorf("sign %d, want %d", got, wantSign)
			}
			// Round trip, as xtest does.
			y := ta.NewBigInt(512)
			if err := y.ConvertFromOctetString(buf[:n], tc.sign); err != nil || x.Cmp(y) != 0 {
				t.Errorf("round trip: %v, %v != %v", err, y, x)
			}
		})
	}

	t.Run("short buffer", func(t *testing.T) {
		x := num(t, 512, "-0102030405")
		for _, size := range []int{0, 4} {
			n, err := x.ConvertToOctetString(make([]byte, size))
			if n != 5 || !errors.Is(err, tee.ErrShortBuffer) {
				t.Errorf("%d bytes: %d, %v; want 5, SHORT_BUFFER", size, n, err)
			}
		}
		buf := bytes.Repeat([]byte{0xEE}, 8)
		if n, err := x.ConvertToOctetString(buf); n != 5 || err != nil || !bytes.Equal(buf, []byte{1, 2, 3, 4, 5, 0xEE, 0xEE, 0xEE}) {
			t.Errorf("got %d, %v, %x", n, err, buf)
		}
		if n, err := ta.NewBigInt(32).ConvertToOctetString(nil); n != 0 || err != nil {
			t.Errorf("zero: %d, %v; want 0, nil", n, err)
		}
	})

	t.Run("overflow", func(t *testing.T) {
		x := num(t, 64, "-1234")
		err := x.ConvertFromOctetString(bytes.Repeat([]byte{0xFF}, 9), 1)
		if !errors.Is(err, tee.ErrOverflow) {
			t.Errorf("9 bytes into 64 bits: %v, want OVERFLOW", err)
		}
		wantValue(t, "the destination after OVERFLOW", x, big.NewInt(-0x1234))
		// Leading zeros do not count.
		in := append(make([]byte, 100), bytes.Repeat([]byte{0xFF}, 8)...)
		if err := x.ConvertFromOctetString(in, 1); err != nil {
			t.Errorf("8 significant bytes of 108 into 64 bits: %v", err)
		}
	})
}

func TestBigIntS32(t *testing.T) {
	// xtest 4103.
	x := ta.NewBigInt(512)
	for _, v := range []int32{1, -1, 123, -123, 0x7FFFFFFF, -0x80000000, -1, 0} {
		x.ConvertFromS32(v)
		if c := x.CmpS32(v); c != 0 {
			t.Errorf("CmpS32(%d) = %d after ConvertFromS32", v, c)
		}
		if got, err := x.ConvertToS32(); got != v || err != nil {
			t.Errorf("ConvertToS32 = %d, %v; want %d", got, err, v)
		}
	}
	for _, s := range []string{"1FFFFFFFFF", "-1FFFFFFFFF", "80000000", "-80000001", "100000000"} {
		if got, err := num(t, 512, s).ConvertToS32(); !errors.Is(err, tee.ErrOverflow) {
			t.Errorf("ConvertToS32(%s) = %d, %v; want OVERFLOW", s, got, err)
		}
	}
	if got, err := num(t, 512, "-80000000").ConvertToS32(); got != -0x80000000 || err != nil {
		t.Errorf("ConvertToS32(-80000000) = %d, %v", got, err)
	}
}

func TestBigIntCmp(t *testing.T) {
	// xtest 4104.
	for _, tc := range []struct {
		x, y string
		want int
	}{
		{"0", "1", -1}, {"1", "0", 1}, {"1", "2", -1}, {"2", "1", 1},
		{"-1", "FFFFFFFFFF", -1}, {"FFFFFFFFFF", "-1", 1},
		{"1", "-FFFFFFFFFF", 1}, {"-FFFFFFFFFF", "1", -1},
		{"1", "100000000", -1}, {"0", "0", 0}, {"1", "1", 0}, {"-1", "-1", 0},
		{"-0", "0", 0},
	} {
		if got := num(t, 512, tc.x).Cmp(num(t, 512, tc.y)); got != tc.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
	const maxI, minI = 0x7FFFFFFF, -0x80000000
	for _, tc := range []struct {
		x    string
		v    int32
		want int
	}{
		{"0", 0, 0}, {"0", 1, -1}, {"1", 0, 1}, {"0", -1, 1}, {"-1", 0, -1},
		{"1", 1, 0}, {"-1", -1, 0}, {"-1", 1, -1}, {"1", -1, 1},
		{"123", 0x123, 0}, {"-123", -0x123, 0},
		{"7FFFFFFF", maxI, 0}, {"-7FFFFFFF", minI, 1}, {"7FFFFFFF", 0, 1},
		{"-7FFFFFFF", 0, -1}, {"-80000000", minI, 0}, {"80000000", maxI, 1},
		{"-80000001", minI, -1}, {"1FFFFFFFF", 1, 1}, {"-1FFFFFFFF", 1, -1},
		{"-0", 0, 0},
	} {
		if got := num(t, 512, tc.x).CmpS32(tc.v); got != tc.want {
			t.Errorf("CmpS32(%s, %d) = %d, want %d", tc.x, tc.v, got, tc.want)
		}
	}
}

func TestBigIntAddSub(t *testing.T) {
	// xtest 4105: s + t = r, checked with every aliasing xtest tries.
	for _, tc := range [][3]string{
		{"1", "1", "2"},
		{"-1", "1", "0"},
		{"0", "0", "0"},
		{"0", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"},
		{"FF", "FF", "1FE"},
		{"FFFFFFFF", "FFFFFFFF", "1FFFFFFFE"},
		{"FFFFFFFF", "100000000FFFFFFFFFFFFFFFF", "10000000100000000FFFFFFFE"},
		{"FFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFF", "1FFFFFFFFFFFFFFFE"},
		{"-FF", "-FF", "-1FE"},
		{"-FFFFFFFF", "-FFFFFFFF", "-1FFFFFFFE"},
		{"-FFFFFFFF", "-100000000FFFFFFFFFFFFFFFF", "-10000000100000000FFFFFFFE"},
		{"-FFFFFFFFFFFFFFFF", "-FFFFFFFFFFFFFFFF", "-1FFFFFFFFFFFFFFFE"},
		{"FFFF", "-FF", "FF00"},
		{"F00000000", "-00000FFFF", "EFFFF0001"},
		{"FFFFFFFF00000000", "-FFFFFFFF", "FFFFFFFE00000001"},
		{"10000000FFFFFFFF00000000", "-FFFFFFFF", "10000000FFFFFFFE00000001"},
		{"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE", "1"},
		{"FF", "-FFFF", "-FF00"},
		{"FFFFFFFF", "-1FFFFFFFF", "-100000000"},
		{"-FFFF", "FF", "-FF00"},
		{"-F00000000", "00000FFFF", "-EFFFF0001"},
		{"-FFFFFFFF00000000", "FFFFFFFF", "-FFFFFFFE00000001"},
		{"-10000000FFFFFFFF00000000", "FFFFFFFF", "-10000000FFFFFFFE00000001"},
		{"-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE", "-1"},
		{"-FF", "FFFF", "FF00"},
		{"-FFFFFFFF", "1FFFFFFFF", "100000000"},
	} {
		s, u, r := tc[0], tc[1], tc[2]
		a, b, c := num(t, 1024, s), num(t, 1024, u), ta.NewBigInt(1024)
		want := num(t, 1024, r)
		c.Add(a, b)
		a.Add(a, b)
		if c.Cmp(want) != 0 || a.Cmp(want) != 0 {
			t.Errorf("%s + %s = %v, %v; want %s", s, u, c, a, r)
		}
		a.Sub(a, b)
		b.Add(a, b)
		if b.Cmp(want) != 0 {
			t.Errorf("(%s + %s - %s) + %s = %v", s, u, u, s, b)
		}
		a, b = num(t, 1024, r), num(t, 1024, u)
		c.Sub(a, b)
		if want := num(t, 1024, s); c.Cmp(want) != 0 {
			t.Errorf("%s - %s = %v, want %s", r, u, c, s)
		}
		if err := a.Assign(b); err != nil || a.Cmp(b) != 0 {
			t.Errorf("Assign: %v", err)
		}
		// Everything aliased: z = z + z.
		a = num(t, 1024, s)
		a.Add(a, a)
		wantValue(t, "s + s", a, new(big.Int).Lsh(ref(t, s), 1))
	}
}

func TestBigIntNegAbs(t *testing.T) {
	// xtest 4106 and 4115.
	for _, tc := range [][2]string{
		{"0", "0"}, {"1", "-1"}, {"123", "-123"},
		{"123456789123456789", "-123456789123456789"},
	} {
		x, nx := num(t, 1024, tc[0]), num(t, 1024, tc[1])
		x.Neg(x)
		if x.Cmp(nx) != 0 {
			t.Errorf("-(%s) = %v, want %s", tc[0], x, tc[1])
		}
		y := ta.NewBigInt(1024)
		if err := y.Abs(nx); err != nil || y.Cmp(num(t, 1024, tc[0])) != 0 {
			t.Errorf("|%s| = %v, %v", tc[1], y, err)
		}
		if err := nx.Abs(nx); err != nil || nx.CmpS32(0) < 0 {
			t.Errorf("in-place Abs: %v, %v", nx, err)
		}
	}
}

func TestBigIntMul(t *testing.T) {
	// xtest 4107.
	for _, tc := range [][3]string{
		{"0", "0", "0"},
		{"0", "FFFFFFFF", "0"},
		{"1", "1", "1"},
		{"-1", "1", "-1"},
		{"-1", "-1", "1"},
		{"FF", "1", "FF"},
		{"2", "2", "4"},
		{"3", "3", "9"},
		{"100", "100", "10000"},
		{"FFFFFFFF", "FFFFFFFF", "FFFFFFFE00000001"},
		{"4F239BBAE89A447149CDB0B50A103C69591DD9E0C91A57955A6C266C7ED42A5ED5F4",
			"44FF5A67036657E041D55AE42AE25517A1",
			"155465C8221717FFC135C87ABF6D34184DF5E6906D2EBA7C364879AA0BE840FD06F1E0A7036BC3B7B1844FF95F07A39CE17A74"},
		{"4F239BBAE89A447149CDB0B50A103C69591DD9E0C91A57955A6C266C7ED42A5ED5F4",
			"-44FF5A67036657E041D55AE42AE25517A1",
			"-155465C8221717FFC135C87ABF6D34184DF5E6906D2EBA7C364879AA0BE840FD06F1E0A7036BC3B7B1844FF95F07A39CE17A74"},
		{"-4F239BBAE89A447149CDB0B50A103C69591DD9E0C91A57955A6C266C7ED42A5ED5F4",
			"-44FF5A67036657E041D55AE42AE25517A1",
			"155465C8221717FFC135C87ABF6D34184DF5E6906D2EBA7C364879AA0BE840FD06F1E0A7036BC3B7B1844FF95F07A39CE17A74"},
	} {
		a, b, c := num(t, 1024, tc[0]), num(t, 1024, tc[1]), ta.NewBigInt(2048)
		want := num(t, 2048, tc[2])
		c.Mul(a, b)
		if c.Cmp(want) != 0 {
			t.Errorf("%s * %s = %v, want %s", tc[0], tc[1], c, tc[2])
		}
		if a.BitCount()+b.BitCount() <= 1024 {
			a.Mul(a, b)
			if a.Cmp(want) != 0 {
				t.Errorf("in place: %s * %s = %v", tc[0], tc[1], a)
			}
		}
		c.Square(b)
		wantValue(t, "square", c, new(big.Int).Mul(ref(t, tc[1]), ref(t, tc[1])))
	}
}

func TestBigIntDiv(t *testing.T) {
	// xtest 4108; qsign and rsign are the signs of quotient and remainder (0: not checked).
	for _, tc := range []struct {
		n, d, q      string
		qsign, rsign int
	}{
		{n: "811111100000000112345678", d: "8000000012345678"},
		{n: "0", d: "1", q: "0"},
		{n: "1", d: "1", q: "1"},
		{n: "b7fb", d: "5", q: "24CB"},
		{n: "124378912734891273894712890347102358129034789120374", d: "1984086C15FA011154C86FA68", q: "B73D14EC7205D3311F6E78411D"},
		{n: "-124378912734891273894712890347102358129034789120374", d: "1984086C15FA011154C86FA68"},
		{n: "124378912734891273894712890347102358129034789120374", d: "-1984086C15FA011154C86FA68"},
		{n: "-124378912734891273894712890347102358129034789120374", d: "-1984086C15FA011154C86FA68"},
		{n: "12345678", d: "10"},
		{n: "-12345678", d: "10"},
		{n: "12345678", d: "-10"},
		{n: "-12345678", d: "-10"},
		{n: "12345678901234567890123456789012345678901", d: "10"},
		{n: "1234567890123456789012345678901234567890", d: "10"},
		{n: "123456789012345678901234567890123456789", d: "10"},
		{n: "53", d: "7", qsign: 1, rsign: 1},
		{n: "-53", d: "7", qsign: -1, rsign: -1},
		{n: "53", d: "-7", qsign: -1, rsign: 1},
		{n: "-53", d: "-7", qsign: 1, rsign: -1},
		{n: "123456789abcdef123456789abcdef", d: "fedcba98765432100", qsign: 1, rsign: 1},
		{n: "-123456789abcdef123456789abcdef", d: "fedcba98765432100", qsign: -1, rsign: -1},
		{n: "123456789abcdef123456789abcdef", d: "-fedcba98765432100", qsign: -1, rsign: 1},
		{n: "-123456789abcdef123456789abcdef", d: "-fedcba98765432100", qsign: 1, rsign: -1},
		// C's truncated division, in decimal terms: -7/2 = -3 r -1, 7/-2 = -3 r 1.
		{n: "-7", d: "2", q: "-3", qsign: -1, rsign: -1},
		{n: "7", d: "-2", q: "-3", qsign: -1, rsign: 1},
		{n: "-6", d: "2", q: "-3", qsign: -1},
		{n: "3", d: "7", q: "0", rsign: 1},
		{n: "-3", d: "7", q: "0", rsign: -1},
	} {
		name := tc.n + "/" + tc.d
		x, y := num(t, 2048, tc.n), num(t, 2048, tc.d)
		q, r, v := ta.NewBigInt(2048), ta.NewBigInt(2048), ta.NewBigInt(2048)
		ta.BigIntDiv(q, r, x, y)
		if tc.q != "" && q.Cmp(num(t, 2048, tc.q)) != 0 {
			t.Errorf("%s: q = %v, want %s", name, q, tc.q)
		}
		v.Mul(q, y)
		v.Add(v, r)
		if v.Cmp(x) != 0 {
			t.Errorf("%s: q*d + r = %v", name, v)
		}
		if tc.qsign != 0 && q.CmpS32(0) != tc.qsign {
			t.Errorf("%s: sign of q %d, want %d", name, q.CmpS32(0), tc.qsign)
		}
		if tc.rsign != 0 && r.CmpS32(0) != tc.rsign {
			t.Errorf("%s: sign of r %d, want %d", name, r.CmpS32(0), tc.rsign)
		}
		// Against Go's truncated QuoRem, and with nil or aliased destinations.
		wq, wr := new(big.Int).QuoRem(ref(t, tc.n), ref(t, tc.d), new(big.Int))
		wantValue(t, name+" q", q, wq)
		wantValue(t, name+" r", r, wr)
		q2 := num(t, 2048, tc.n)
		ta.BigIntDiv(q2, nil, q2, y)
		wantValue(t, name+" q only, in place", q2, wq)
		r2 := num(t, 2048, tc.d)
		ta.BigIntDiv(nil, r2, x, r2)
		wantValue(t, name+" r only, in place", r2, wr)
		ta.BigIntDiv(nil, nil, x, y)
	}
}

// Operands of xtest 4109.
var (
	x4109a = "42176E7CD0386C94194C3C3DACFA7237CCF4E0829E2EBEAB59DE12CAE3305C9E576F837A42D9C13BB1D83E4DFD330B6576FD516B2AE9FBDD152F0A820C5DD18ED048D476EC791DC989D6D8C30B2B30FFC2A4ABAC082C672B38E138610B74CE0C30D1B378BE6FE0C44E09EC11586245CD8F1216619392E6B2C857C71EA78DD4D861A482D9D1251C341D1D6205AFB2BFB53DD1F272B5624FA61B020936745387CDF1F3EBC4435CBE6C6B323497098FDE9D61AA0CC87416235E706A71F73EC3C291D9ACA2EECD712DA40966DD251310AE949713F69B2A32E42732A7F6669547D88A415B25C582FDBBF06C5EC5F5750053D49F7ED68DED168C92F9C531828A"
	x4109b = "FFFF" + x4109a[4:]
)

func TestBigIntMod(t *testing.T) {
	// xtest 4109, and the sign rule: the result is in [0, n-1].
	for _, tc := range [][3]string{
		{"10", "A", "6"},
		{"10", "20", "10"},
		{"-1", "123", "122"},
		{"-122", "123", "1"},
		{"-1", "100000000000000000000", "FFFFFFFFFFFFFFFFFFFF"},
		{x4109a, "A9A9C49F0015DBEF9EB0D927F379821AE2C59", "3460EB99F07BC4617A7586E6522B98F66E5B2"},
		{x4109a, "1234", "1082"},
		{x4109b, "2", "0"},
		{x4109b, x4109b, "0"},
		{x4109b, x4109b[:len(x4109b)-1] + "B", x4109b},
		{"-" + x4109b, x4109b, "0"},
		{"-5", "2", "1"},
		{"-123", "123", "0"},
		{"0", "2", "0"},
	} {
		x, n, z := num(t, 2048, tc[0]), num(t, 2048, tc[1]), ta.NewBigInt(2048)
		z.Mod(x, n)
		if z.Cmp(num(t, 2048, tc[2])) != 0 {
			t.Errorf("%.20s mod %.20s = %v, want %.20s", tc[0], tc[1], z, tc[2])
		}
		x.Mod(x, n)
		if x.Cmp(z) != 0 {
			t.Errorf("in place: %v, want %v", x, z)
		}
	}
}

var n2048 = "F9" + strings.Repeat("0", 507) + "5C5"

func TestBigIntModArithAndFMM(t *testing.T) {
	// xtest 4110: add and mul modulo n, and mul through FMM.
	f9 := "F9" + strings.Repeat("0", 510)
	for _, tc := range []struct{ x, y, n, sum, prod string }{
		{"0", "0", "2", "0", "0"},
		{"1", "1", "2", "0", "1"},
		{"2", "2", "9", "4", "4"},
		{"123", "123", "200", "46", "C9"},
		{"0", "123", "200", "123", "0"},
		{"123", "0", "200", "123", "0"},
		{f9, f9[:len(f9)-1] + "1", n2048, "F8" + strings.Repeat("F", 507) + "A3C", "2143D4"},
		{f9, "5C5", n2048, "0", "F8" + strings.Repeat("F", 504) + "DEBC2C"},
	} {
		name := fmt.Sprintf("%.8s,%.8s mod %.8s", tc.x, tc.y, tc.n)
		x, y, n, z := num(t, 2048, tc.x), num(t, 2048, tc.y), num(t, 2048, tc.n), ta.NewBigInt(2048)
		z.AddMod(x, y, n)
		if z.Cmp(num(t, 2048, tc.sum)) != 0 {
			t.Errorf("%s: sum %v, want %s", name, z, tc.sum)
		}
		z.MulMod(x, y, n)
		if z.Cmp(num(t, 2048, tc.prod)) != 0 {
			t.Errorf("%s: product %v, want %s", name, z, tc.prod)
		}
		// (x+y) - y = x mod n, for the reduced x.
		z.AddMod(x, y, n)
		z.SubMod(z, y, n)
		wantValue(t, name+" (x+y)-y", z, new(big.Int).Mod(ref(t, tc.x), ref(t, tc.n)))
		z.SquareMod(x, n)
		wantValue(t, name+" x²", z, new(big.Int).Exp(ref(t, tc.x), big.NewInt(2), ref(t, tc.n)))

		ctx, err := ta.NewFMMContext(n)
		if err != nil {
			t.Fatalf("%s: NewFMMContext: %v", name, err)
		}
		fx, fy, fr := ta.NewFMM(n.BitCount()), ta.NewFMM(n.BitCount()), ta.NewFMM(n.BitCount())
		fx.ConvertToFMM(x, n, ctx)
		fy.ConvertToFMM(y, n, ctx)
		fr.ComputeFMM(fx, fy, n, ctx)
		z.ConvertFromFMM(fr, n, ctx)
		if z.Cmp(num(t, 2048, tc.prod)) != 0 {
			t.Errorf("%s: FMM product %v, want %s", name, z, tc.prod)
		}
		fx.ComputeFMM(fx, fx, n, ctx) // aliased
		z.ConvertFromFMM(fx, n, ctx)
		wantValue(t, name+" FMM x²", z, new(big.Int).Exp(ref(t, tc.x), big.NewInt(2), ref(t, tc.n)))
	}

	t.Run("negative operands and x >= n", func(t *testing.T) {
		n := num(t, 64, "7")
		for _, tc := range []struct{ x, y, sum, diff, prod string }{
			{"-1", "-1", "5", "0", "1"},
			{"9", "-3", "6", "5", "1"},
			{"0", "1", "1", "6", "0"},
		} {
			x, y, z := num(t, 64, tc.x), num(t, 64, tc.y), ta.NewBigInt(64)
			for _, c := range []struct {
				op   func()
				want string
			}{
				{func() { z.AddMod(x, y, n) }, tc.sum},
				{func() { z.SubMod(x, y, n) }, tc.diff},
				{func() { z.MulMod(x, y, n) }, tc.prod},
			} {
				c.op()
				if z.Cmp(num(t, 64, c.want)) != 0 {
					t.Errorf("%s op %s mod 7 = %v, want %s", tc.x, tc.y, z, c.want)
				}
			}
		}
	})
}

func TestBigIntInvMod(t *testing.T) {
	// xtest 4111.
	for _, tc := range [][3]string{
		{"2", "3", "2"},
		{"3", "7", "5"},
		{"5", "7", "3"},
		{"7B", "FA1", "8E5"},
		{"462D578CF0F88", "AB54A98CEB1F0AD3", "5ABBF22B54DBD000"},
		{"7", n2048, "B1" + strings.Repeat("DB6", 168) + "DB71D6"},
		{"-1", "7", "6"},
		{"8", "7", "1"},
	} {
		x, n, z := num(t, 2048, tc[0]), num(t, 2048, tc[1]), ta.NewBigInt(2048)
		want := num(t, 2048, tc[2])
		z.InvMod(x, n)
		if z.Cmp(want) != 0 {
			t.Errorf("1/%s mod %.10s = %v, want %.10s", tc[0], tc[1], z, tc[2])
		}
		z.MulMod(want, x, n)
		if z.CmpS32(1) != 0 {
			t.Errorf("%s * 1/%s = %v, want 1", tc[2], tc[0], z)
		}
		want.InvMod(want, n) // in place, back to x mod n
		z.Mod(x, n)
		if want.Cmp(z) != 0 {
			t.Errorf("1/(1/%s) = %v", tc[0], want)
		}
	}
}

func TestBigIntIsProbablePrime(t *testing.T) {
	// xtest 4112: want lists the answers GP allows (1 or -1 for primes).
	composite := []string{
		"0", "1", "FA0",
		"136233FDE5569",
		"177B96388FD94D5D7EC9AE513",
		"22770A7DC599BC90B2FF981CCB5CF05703344C8F3504189ED",
		"0002ECD53B2150542D1494A424D50322EBABBBD5DB89392A368D7759",
		"00000004C8971C2B6F7A8503AB80749E2BBA5BB6B6031BD43564DCA8003F0E3E54E677A0A4B1B6153662B3130C11C273C0F9408445B2ABB47D64153BEB48C154659FDFDEDC496C8EA81AA7B7CE2B2CB1AA7C8B407DE8C86F122607B2A226385D9432F6CB30B5E4DE033E3363D48A1865D9BC95DC7883D9DC9331691A17964979",
		"00038AFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEA5C6D11EDD2905192C5429E6A6D796E89250BF563DA53D39325129B70435894B56E337D5866F0BEF663D6C26DA889B69D4B1508ED63A17AFD8BC0C5BE09AC18B64B2B7D87279D32EB4F3375C10D58DF1F7CA2147A61CFA557235244D4A4700AB5953C4C6ED428EB5F09F07DAED46A995B8FFE48EFB93390C960685A31987879F818CCE9B9816E13DEE4BEA5CC38C56A5D1983425DDD909C88463B447F",
	}
	prime := []string{
		"2", "3", "17", "FA1", "-FA1",
		"000136A352B2C7A5",
		"000000022770A7DC599BC90B2FF981CCB5CF05703344C8F350418AAD",
		"000067E04F440C5FECCA2694B1A4AB4FCEC2D2B2D286FC93DD259D2B36A3A00DF3726A4D4DFA99195998D92F43DD7370B8C079E23072036F0C13F3F6ABA1D6DF",
		"000BC9F7E42CE74132EC6933DE1B8357CD2AEB9E4B8A5F26BD233D1E6F2955554D2CFA9760F3F69CCC52E8E428F68C37AD5BC70CDB12F4DCEF23CB101C36A2A7",
		"00000005233FE157B5B44102598513AEBB8876B0D1791769C8A1B0F36875D06FE26951C7372192C7B21CAB67ADF0D6FE1A718FB3FC4A51454DE87CD3F852005BAAEC35D5",
		"0000001A655954FBC4408E09FE97EB825E0F096426B42317A36E53FF9608DD3FA661040245906334496987EFB14BEA5F7C050444C9B22A09EC76AF4EBDC609D8A90C05E9E5AF06829C542DFCF7E6B9DC0B065659C1816309CD6012C37F8CE6498DECF850F33943F0F83081406846D30622E0BCE697E612FC1F7A5D902280D6E03009E585",
	}
	// Mersenne primes, the largest prime below 2^64 and the P-256 field prime.
	for _, e := range []uint{61, 89, 127, 521} {
		prime = append(prime, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), e), big.NewInt(1)).Text(16))
	}
	prime = append(prime, "FFFFFFFFFFFFFFC5", "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF")
	// Carmichael numbers, which fool the Fermat test for every base coprime to them, and
	// strong pseudoprimes to the first 9, 12 and 13 prime bases.
	for _, d := range []string{"561", "1105", "1729", "2465", "2821", "6601", "8911", "41041",
		"825265", "321197185", "3825123056546413051", "318665857834031151167461",
		"3317044064679887385961981"} {
		v, _ := new(big.Int).SetString(d, 10)
		composite = append(composite, v.Text(16))
	}
	// A Carmichael number above 2^64 of Chernick's form (6k+1)(12k+1)(18k+1).
	for k := int64(1 << 22); ; k++ {
		f := []*big.Int{big.NewInt(6*k + 1), big.NewInt(12*k + 1), big.NewInt(18*k + 1)}
		if f[0].ProbablyPrime(20) && f[1].ProbablyPrime(20) && f[2].ProbablyPrime(20) {
			c := new(big.Int).Mul(f[0], f[1])
			composite = append(composite, c.Mul(c, f[2]).Text(16))
			break
		}
	}

	check := func(s string, conf uint32, ok ...int) {
		t.Helper()
		x := num(t, 2048, s)
		got := x.IsProbablePrime(conf)
		for _, w := range ok {
			if got == w {
				return
			}
		}
		t.Errorf("IsProbablePrime(%.24s, %d) = %d, want one of %v", s, conf, got, ok)
	}
	for _, s := range composite {
		if ref(t, strings.TrimPrefix(s, "-")).ProbablyPrime(20) {
			t.Fatalf("test data: %s is prime", s)
		}
		check(s, 80, 0)
		check(s, 0, 0)
	}
	for _, s := range prime {
		// A definite answer below 2^64, a probable one above.
		want := -1
		if ref(t, strings.TrimPrefix(s, "-")).BitLen() <= 64 {
			want = 1
		}
		check(s, 80, want)
		check(s, 0, want)
		check(s, 200, want)
	}
}

func TestBigIntShiftRight(t *testing.T) {
	// xtest 4113, plus the magnitude rule for negative values.
	cases := []struct {
		res  string
		bits uint
		op   string
	}{
		{"0", 31, "7FFFFFFF"},
		{"0", 65, "7FFFFFFF"},
		{"0", 1, "0"},
		{"-1", 1, "-2"},
		{"1", 0, "1"},
		{"FFFFFFFF", 64, "FFFFFFFF0000000000000000"},
		{"1111FFFF0000", 64, "1111FFFF00000000000000000000"},
		{"1", 33, "200000000"},
		{"1", 65, "20000000000000000"},
		{"FFFFFFFF", 65, "1FFFFFFFE0000000000000000"},
		{"24B0D975EC8FCC8E1D54CA4BF7ACFC4534F04", 81, "4961B2EBD91F991C3AA99497EF59F88A69E08AD5C340167793C3CC32F"},
		{"-2", 1, "-5"}, // |−5| >> 1 = 2, sign kept: not the −3 of an arithmetic shift
		{"0", 1, "-1"},  // −0 is 0
		{"0", 1000, "-FFFFFFFFFFFF"},
	}
	for i := uint(1); i <= 32; i++ {
		cases = append(cases, struct {
			res  string
			bits uint
			op   string
		}{"1", i, new(big.Int).Lsh(big.NewInt(1), i).Text(16)})
	}
	cases = append(cases, struct {
		res  string
		bits uint
		op   string
	}{"1", 64, "10000000000000000"})
	for _, tc := range cases {
		op, z := num(t, 2048, tc.op), ta.NewBigInt(2048)
		z.ShiftRight(op, tc.bits)
		if z.Cmp(num(t, 2048, tc.res)) != 0 {
			t.Errorf("%s >> %d = %v, want %s", tc.op, tc.bits, z, tc.res)
		}
		op.ShiftRight(op, tc.bits)
		if op.Cmp(z) != 0 {
			t.Errorf("in place: %s >> %d = %v", tc.op, tc.bits, op)
		}
	}
	// The result may fit a destination smaller than the operand.
	small := ta.NewBigInt(32)
	small.ShiftRight(num(t, 2048, "FFFFFFFF"+strings.Repeat("0", 400)), 1600)
	wantValue(t, "shift into a small destination", small, big.NewInt(0xFFFFFFFF))
}

func TestBigIntExtendedGcd(t *testing.T) {
	// xtest 4114, with and without coefficients.
	cases := [][2]string{
		{"0", "0"}, {"0", "123"}, {"1", "1"}, {"1", "-1"}, {"2", "2"},
		{"-2", "2"}, {"2", "4"}, {"-2", "-4"}, {"400", "800"}, {"261", "2B5"},
		{"F", "A"}, {"C", "13"}, {"165D662", "1664FEA"},
		{"AB59CDFD83CE2B24", "4961BF04008953A7F9567AAFBA94D4AF55F473F14FD68AA022982F0FE"},
		{"5D0A380DC40EDE5E036FA051FC6D7F93", "3277FD425328576569AFB2EAC6B1430578099CA8ADA4BC73"},
		{"2" + strings.Repeat("0", 192), "4" + strings.Repeat("0", 244)},
		{"-123", "0"}, {"0", "-123"}, {"-C", "13"}, {"C", "-13"}, {"-C", "-12"},
	}
	for _, tc := range cases {
		checkGcd(t, num(t, 2048, tc[0]), num(t, 2048, tc[1]))
	}
	// gcd(0, 0) = 0 and equal magnitudes give u = ±1, v = 0, as OP-TEE does.
	for _, tc := range []struct{ x, y, g, u, v string }{
		{"0", "0", "0", "1", "0"},
		{"5", "5", "5", "1", "0"},
		{"-5", "5", "5", "-1", "0"},
		{"5", "-5", "5", "1", "0"},
		{"0", "-7", "7", "0", "-1"},
		{"-7", "0", "7", "-1", "0"},
	} {
		g, u, v := ta.NewBigInt(64), ta.NewBigInt(64), ta.NewBigInt(64)
		g.ComputeExtendedGcd(u, v, num(t, 64, tc.x), num(t, 64, tc.y))
		if g.Cmp(num(t, 64, tc.g)) != 0 || u.Cmp(num(t, 64, tc.u)) != 0 || v.Cmp(num(t, 64, tc.v)) != 0 {
			t.Errorf("egcd(%s, %s) = %v, %v, %v; want %s, %s, %s", tc.x, tc.y, g, u, v, tc.g, tc.u, tc.v)
		}
	}
	for _, tc := range []struct {
		x, y string
		want bool
	}{
		{"0", "0", false}, {"0", "1", true}, {"1", "1", true}, {"-1", "0", true},
		{"C", "13", true}, {"-C", "-13", true}, {"C", "-12", false}, {"400", "800", false},
	} {
		if got := num(t, 64, tc.x).RelativePrime(num(t, 64, tc.y)); got != tc.want {
			t.Errorf("RelativePrime(%s, %s) = %v", tc.x, tc.y, got)
		}
	}
}

// checkGcd checks ComputeExtendedGcd on x and y against math/big and GP's rules.
func checkGcd(tb testing.TB, x, y *ta.BigInt) {
	tb.Helper()
	bx, by := value(tb, x), value(tb, y)
	wantG := new(big.Int).GCD(nil, nil, bx, by)
	g, u, v := ta.NewBigInt(4096), ta.NewBigInt(4096), ta.NewBigInt(4096)
	g.ComputeExtendedGcd(nil, nil, x, y)
	wantValue(tb, "gcd", g, wantG)
	g.ComputeExtendedGcd(u, v, x, y)
	wantValue(tb, "gcd with coefficients", g, wantG)
	bu, bv := value(tb, u), value(tb, v)
	sum := new(big.Int).Mul(bu, bx)
	sum.Add(sum, new(big.Int).Mul(bv, by))
	if sum.Cmp(wantG) != 0 {
		tb.Errorf("egcd(%x, %x): %x*x + %x*y = %x, want %x", bx, by, bu, bv, sum, wantG)
	}
	if wantG.Sign() != 0 {
		// |u| <= |y|/gcd, |v| <= |x|/gcd: the coefficients fit operand-sized BigInts.
		lu := new(big.Int).Quo(new(big.Int).Abs(by), wantG)
		lv := new(big.Int).Quo(new(big.Int).Abs(bx), wantG)
		if bu.CmpAbs(max1(lu)) > 0 || bv.CmpAbs(max1(lv)) > 0 {
			tb.Errorf("egcd(%x, %x): coefficients %x, %x are not the small ones", bx, by, bu, bv)
		}
	}
	// Only u, only v, and the same BigInt for both operands.
	u2 := ta.NewBigInt(4096)
	g.ComputeExtendedGcd(u2, nil, x, y)
	if u2.Cmp(u) != 0 {
		tb.Errorf("u alone = %v, want %v", u2, u)
	}
	g.ComputeExtendedGcd(nil, u2, x, x)
	wantValue(tb, "gcd(x, x)", g, new(big.Int).Abs(bx))
}

func max1(v *big.Int) *big.Int {
	if v.Sign() == 0 {
		return big.NewInt(1)
	}
	return v
}

func TestBigIntBits(t *testing.T) {
	// xtest 4116, and the magnitude rule for negative values.
	x := ta.NewBigInt(1024)
	for _, i := range []int{1, 4, 9, 113, 1013, 1023} {
		if x.Bit(i) {
			t.Errorf("bit %d set in 0", i)
		}
		if err := x.SetBit(i, true); err != nil || !x.Bit(i) || x.BitCount() != i+1 {
			t.Errorf("SetBit(%d): %v, bit %v, count %d", i, err, x.Bit(i), x.BitCount())
		}
		if err := x.SetBit(i, false); err != nil || x.Bit(i) || x.CmpS32(0) != 0 {
			t.Errorf("clearing bit %d: %v, %v", i, err, x)
		}
	}
	if err := x.SetBit(1024, true); !errors.Is(err, tee.ErrOverflow) || x.CmpS32(0) != 0 {
		t.Errorf("SetBit(1024) on 1024 bits: %v, value %v; want OVERFLOW, unchanged", err, x)
	}
	if err := x.SetBit(5000, false); err != nil {
		t.Errorf("clearing a bit beyond the capacity: %v", err)
	}

	n := num(t, 64, "-6") // |−6| = 110
	if n.Bit(0) || !n.Bit(1) || !n.Bit(2) || n.Bit(3) || n.Bit(1000) || n.BitCount() != 3 {
		t.Errorf("bits of -6: %v %v %v %v count %d", n.Bit(0), n.Bit(1), n.Bit(2), n.Bit(3), n.BitCount())
	}
	if err := n.SetBit(0, true); err != nil || n.CmpS32(-7) != 0 {
		t.Errorf("-6 with bit 0 set = %v, %v; want -7", n, err)
	}
	if err := n.SetBit(40, true); err != nil {
		t.Fatal(err)
	}
	wantValue(t, "-7 with bit 40 set", n, big.NewInt(-(1<<40 | 7)))
	mustPanic(t, func() { n.Bit(-1) })
	mustPanic(t, func() { _ = n.SetBit(-1, true) })
}

func TestBigIntExpMod(t *testing.T) {
	// xtest 4117, plus edge cases.
	for _, tc := range [][4]string{
		{"4", "D", "1F1", "1BD"},
		{"109fe45714866e56fdd4ad9b6b686df27224afb7868cf4f0cbb794526932853cbf0beea61594166654d13cd9fe0d9da594a97ee20230f12fb5434de73fb4f8102725a01622b31b1ea42e3a265019039ac1df31869bd97930d792fb72cdaa971d8a8015af",
			"33ae3764fd06a00cdc3cba5c45dc79a9edb4e67e4d057cc74139d531c25190d111775fc4a0f4439b8b1930bbd766e7b46f170601f316c8a18ff8d5cb5ca5581f168345d101edb462b7d93b7c520ccb8fb276b447a63d869203cc11f67a1122dc4da034218de85e39",
			"11a9351d2d32ccd568e75bf8b4ebbb2a36be691b55832edac662ff79803df8af525fba453068be16ac3920bcc1b468f8f7fe786e0fa4ecbabcad31e5e3b05def802eb8600deaf11ef452487db878df20a80606e4bb6a163b83895d034cc8b53dbcd005be42ffdd2ce99bed06089a0b79d",
			"37880b547b41bda303bddda307eefe24b4aedf076c9b814b903aaf328a10825c7e259a20afc6b70b487bb21a6d32d0ee98a0b9f42ff812c901e2f79237fe3e00856992dd69d93ebc0664c75863829621751b0ac35a8ae8a0965841607d3099b8e0ed24442749ba09acbcb165598dcd40"},
		{"5", "0", "7", "1"},
		{"0", "0", "7", "1"},
		{"0", "5", "7", "0"},
		{"-2", "3", "7", "6"}, // −8 mod 7
		{"9", "2", "7", "4"},
	} {
		b, e, m, z := num(t, 1024, tc[0]), num(t, 1024, tc[1]), num(t, 1024, tc[2]), ta.NewBigInt(1024)
		ctx, err := ta.NewFMMContext(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*ta.FMMContext{ctx, nil} {
			if err := z.ExpMod(b, e, m, c); err != nil {
				t.Fatalf("ExpMod: %v", err)
			}
			if z.Cmp(num(t, 1024, tc[3])) != 0 {
				t.Errorf("%.8s^%.8s mod %.8s = %v, want %.8s", tc[0], tc[1], tc[2], z, tc[3])
			}
		}
		if tc[0][0] != '-' {
			if err := b.ExpMod(b, b, m, nil); err != nil { // aliased
				t.Fatal(err)
			}
			wantValue(t, "b^b", b, new(big.Int).Exp(ref(t, tc[0]), ref(t, tc[0]), ref(t, tc[2])))
		}
	}
	z := ta.NewBigInt(64)
	if err := z.ExpMod(num(t, 64, "3"), num(t, 64, "5"), num(t, 64, "10"), nil); !errors.Is(err, tee.ErrNotSupported) {
		t.Errorf("even modulus: %v, want NOT_SUPPORTED", err)
	}
}

func TestBigIntFMMContext(t *testing.T) {
	for _, s := range []string{"0", "1", "-7"} {
		if _, err := ta.NewFMMContext(num(t, 64, s)); !errors.Is(err, tee.ErrNotSupported) {
			t.Errorf("NewFMMContext(%s): %v, want NOT_SUPPORTED", s, err)
		}
	}
	// Values are reduced on the way in, whatever their sign.
	n := num(t, 64, "B")
	ctx, err := ta.NewFMMContext(n)
	if err != nil {
		t.Fatal(err)
	}
	f := ta.NewFMM(4)
	z := ta.NewBigInt(64)
	f.ConvertToFMM(num(t, 64, "-1"), n, ctx)
	z.ConvertFromFMM(f, n, ctx)
	wantValue(t, "-1 through FMM mod 11", z, big.NewInt(10))
}

// TestBigIntPanics checks what GP and OP-TEE make a TEE_Panic: results that do not fit,
// a zero divisor, forbidden moduli, non-invertible values and mixed-up FMM contexts.
func TestBigIntPanics(t *testing.T) {
	n := func(s string) *ta.BigInt { return num(t, 2048, s) }
	small := func() *ta.BigInt { return ta.NewBigInt(32) }
	big64 := n("FFFFFFFFFFFFFFFF")
	seven := n("7")
	ctx7, err := ta.NewFMMContext(seven)
	if err != nil {
		t.Fatal(err)
	}
	ctx11, err := ta.NewFMMContext(n("B"))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"Add overflow":            func() { small().Add(big64, n("1")) },
		"Add carry overflow":      func() { small().Add(n("FFFFFFFF"), n("1")) },
		"Sub overflow":            func() { small().Sub(n("-FFFFFFFF"), n("1")) },
		"Neg overflow":            func() { small().Neg(big64) },
		"Mul overflow":            func() { small().Mul(n("10000"), n("10000")) },
		"Square overflow":         func() { small().Square(n("10000")) },
		"ShiftRight overflow":     func() { small().ShiftRight(big64, 31) },
		"ConvertFromS32 capacity": func() { ta.NewBigInt(0).ConvertFromS32(-1) },
		"Div by zero":             func() { ta.BigIntDiv(small(), small(), n("5"), n("0")) },
		"Div by -0":               func() { ta.BigIntDiv(nil, nil, n("5"), n("-0")) },
		"Div q overflow":          func() { ta.BigIntDiv(small(), nil, big64, n("1")) },
		"Div r overflow":          func() { ta.BigIntDiv(nil, small(), big64, n("FFFFFFFFFFFFFFFFFF")) },
		"Div q is r":              func() { q := small(); ta.BigIntDiv(q, q, n("5"), n("2")) },
		"Mod overflow":            func() { small().Mod(big64, n("10000000000000000")) },
		"InvMod zero":             func() { small().InvMod(n("0"), seven) },
		"InvMod non-invertible":   func() { small().InvMod(n("6"), n("9")) },
		"InvMod multiple of n":    func() { small().InvMod(n("E"), seven) },
		"ExpMod modulus 2":        func() { _ = small().ExpMod(n("3"), n("1"), n("2"), nil) },
		"ExpMod modulus 1":        func() { _ = small().ExpMod(n("3"), n("1"), n("1"), nil) },
		"ExpMod modulus -7":       func() { _ = small().ExpMod(n("3"), n("1"), n("-7"), nil) },
		"ExpMod negative exp":     func() { _ = small().ExpMod(n("3"), n("-1"), seven, nil) },
		"ExpMod wrong context":    func() { _ = small().ExpMod(n("3"), n("1"), seven, ctx11) },
		"ExpMod overflow":         func() { _ = ta.NewBigInt(0).ExpMod(n("3"), n("1"), seven, nil) },
		"ExtendedGcd overflow":    func() { small().ComputeExtendedGcd(nil, nil, big64, n("0")) },
		"ExtendedGcd u overflow": func() {
			ta.NewBigInt(256).ComputeExtendedGcd(small(), nil, n("5D0A380DC40EDE5E036FA051FC6D7F93"), n("3277FD425328576569AFB2EAC6B1430578099CA8ADA4BC73"))
		},
		"ConvertToFMM nil context":   func() { ta.NewFMM(32).ConvertToFMM(n("3"), seven, nil) },
		"ConvertToFMM wrong context": func() { ta.NewFMM(32).ConvertToFMM(n("3"), seven, ctx11) },
		"ConvertToFMM overflow":      func() { ta.NewFMM(0).ConvertToFMM(n("3"), seven, ctx7) },
		"ComputeFMM wrong context":   func() { f := ta.NewFMM(32); f.ComputeFMM(f, f, seven, ctx11) },
		"ConvertFromFMM overflow": func() {
			f := ta.NewFMM(32)
			f.ConvertToFMM(n("3"), seven, ctx7)
			ta.NewBigInt(0).ConvertFromFMM(f, seven, ctx7)
		},
	} {
		t.Run(name, func(t *testing.T) { mustPanic(t, f) })
	}
	// Every modular function panics on a modulus below 2 (GP: n < 2), including 1.
	for _, m := range []string{"1", "0", "-0", "-1", "-7"} {
		mod := n(m)
		for name, f := range map[string]func(){
			"Mod":       func() { small().Mod(seven, mod) },
			"AddMod":    func() { small().AddMod(seven, seven, mod) },
			"SubMod":    func() { small().SubMod(seven, seven, mod) },
			"MulMod":    func() { small().MulMod(seven, seven, mod) },
			"SquareMod": func() { small().SquareMod(seven, mod) },
			"InvMod":    func() { small().InvMod(seven, mod) },
			"ExpMod":    func() { _ = small().ExpMod(seven, seven, mod, nil) },
		} {
			t.Run(name+" mod "+m, func(t *testing.T) { mustPanic(t, f) })
		}
	}
}

// TestBigIntOverflowErrors checks the functions GP gives TEE_ERROR_OVERFLOW instead of
// a panic; each leaves its destination unchanged.
func TestBigIntOverflowErrors(t *testing.T) {
	big64 := num(t, 64, "-FFFFFFFFFFFFFFFF")
	for name, f := range map[string]func(z *ta.BigInt) error{
		"Assign":                 func(z *ta.BigInt) error { return z.Assign(big64) },
		"Abs":                    func(z *ta.BigInt) error { return z.Abs(big64) },
		"SetBit":                 func(z *ta.BigInt) error { return z.SetBit(32, true) },
		"ConvertFromOctetString": func(z *ta.BigInt) error { return z.ConvertFromOctetString([]byte{1, 0, 0, 0, 0}, 1) },
	} {
		z := num(t, 32, "-1234")
		if err := f(z); !errors.Is(err, tee.ErrOverflow) {
			t.Errorf("%s: %v, want OVERFLOW", name, err)
		}
		wantValue(t, name+" leaves the destination", z, big.NewInt(-0x1234))
	}
	// A value that fits is fine whatever the source's capacity.
	z := ta.NewBigInt(32)
	if err := z.Assign(num(t, 4096, "-FFFFFFFF")); err != nil {
		t.Errorf("Assign of a 32-bit value from a 4096-bit BigInt: %v", err)
	}
}

// TestBigIntRandom cross-checks every operation against math/big on random operands.
func TestBigIntRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(maxBits int) *big.Int {
		b := make([]byte, (rng.IntN(maxBits)+8)/8)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		v := new(big.Int).SetBytes(b)
		if rng.IntN(2) == 0 {
			v.Neg(v)
		}
		return v
	}
	mk := func(v *big.Int) *ta.BigInt {
		x := ta.NewBigInt(4096)
		if err := x.ConvertFromOctetString(v.Bytes(), v.Sign()); err != nil {
			t.Fatal(err)
		}
		return x
	}
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for i := range iters {
		a, b := rnd(1024), rnd(1024)
		m := new(big.Int).Abs(rnd(1024))
		m.Add(m, big.NewInt(2))
		x, y, n, z := mk(a), mk(b), mk(m), ta.NewBigInt(4096)
		name := fmt.Sprintf("#%d", i)

		if x.Cmp(y) != a.Cmp(b) {
			t.Errorf("%s Cmp", name)
		}
		z.Add(x, y)
		wantValue(t, name+" add", z, new(big.Int).Add(a, b))
		z.Sub(x, y)
		wantValue(t, name+" sub", z, new(big.Int).Sub(a, b))
		z.Mul(x, y)
		wantValue(t, name+" mul", z, new(big.Int).Mul(a, b))
		if b.Sign() != 0 {
			q, r := ta.NewBigInt(4096), ta.NewBigInt(4096)
			ta.BigIntDiv(q, r, x, y)
			wq, wr := new(big.Int).QuoRem(a, b, new(big.Int))
			wantValue(t, name+" quo", q, wq)
			wantValue(t, name+" rem", r, wr)
		}
		z.Mod(x, n)
		wantValue(t, name+" mod", z, new(big.Int).Mod(a, m))
		z.AddMod(x, y, n)
		wantValue(t, name+" addmod", z, new(big.Int).Mod(new(big.Int).Add(a, b), m))
		z.SubMod(x, y, n)
		wantValue(t, name+" submod", z, new(big.Int).Mod(new(big.Int).Sub(a, b), m))
		z.MulMod(x, y, n)
		wantValue(t, name+" mulmod", z, new(big.Int).Mod(new(big.Int).Mul(a, b), m))
		if inv := new(big.Int).ModInverse(a, m); inv != nil && a.Sign() != 0 {
			z.InvMod(x, n)
			wantValue(t, name+" invmod", z, inv)
		}
		if m.Bit(0) == 1 && m.Cmp(big.NewInt(2)) > 0 {
			e := new(big.Int).Abs(b)
			if err := z.ExpMod(x, mk(e), n, nil); err != nil {
				t.Fatal(err)
			}
			wantValue(t, name+" expmod", z, new(big.Int).Exp(a, e, m))
		}
		checkGcd(t, x, y)
		if x.RelativePrime(y) != (new(big.Int).GCD(nil, nil, a, b).Cmp(big.NewInt(1)) == 0) {
			t.Errorf("%s RelativePrime", name)
		}
		s := uint(rng.IntN(1100))
		z.ShiftRight(x, s)
		want := new(big.Int).Rsh(new(big.Int).Abs(a), s)
		if a.Sign() < 0 {
			want.Neg(want)
		}
		wantValue(t, name+" shift", z, want)
		bit := rng.IntN(1100)
		if x.Bit(bit) != (new(big.Int).Abs(a).Bit(bit) == 1) || x.BitCount() != a.BitLen() {
			t.Errorf("%s bits", name)
		}
		ctx, err := ta.NewFMMContext(n)
		if err != nil {
			t.Fatal(err)
		}
		fx, fy := ta.NewFMM(n.BitCount()), ta.NewFMM(n.BitCount())
		fx.ConvertToFMM(x, n, ctx)
		fy.ConvertToFMM(y, n, ctx)
		fx.ComputeFMM(fx, fy, n, ctx)
		z.ConvertFromFMM(fx, n, ctx)
		wantValue(t, name+" fmm", z, new(big.Int).Mod(new(big.Int).Mul(a, b), m))
	}
}

// ExampleBigInt is RSA with toy numbers, written the way a C TA writes it.
func ExampleBigInt() {
	p, q, e := ta.NewBigInt(64), ta.NewBigInt(64), ta.NewBigInt(64)
	p.ConvertFromS32(61)
	q.ConvertFromS32(53)
	e.ConvertFromS32(17)

	n, phi, d, one := ta.NewBigInt(128), ta.NewBigInt(128), ta.NewBigInt(128), ta.NewBigInt(32)
	one.ConvertFromS32(1)
	n.Mul(p, q)
	p.Sub(p, one)
	q.Sub(q, one)
	phi.Mul(p, q)
	d.InvMod(e, phi)

	m, c := ta.NewBigInt(128), ta.NewBigInt(128)
	m.ConvertFromS32(65)
	if err := c.ExpMod(m, e, n, nil); err != nil {
		panic(err)
	}
	if err := m.ExpMod(c, d, n, nil); err != nil {
		panic(err)
	}
	cv, _ := c.ConvertToS32()
	mv, _ := m.ConvertToS32()
	fmt.Println(cv, mv)
	// Output: 2790 65
}
