package dkimcore

import (
	"crypto"
	"crypto/subtle"
	"math/bits"
)

// This file verifies RSASSA-PKCS1-v1_5 signatures (RFC 8017 §8.2.2) with
// its own modular exponentiation instead of crypto/rsa. crypto/rsa brings
// math/big, the FIPS 140 RSA module and its bigmod, about 280 KB of the
// WebAssembly build (issue 10), for one operation on public data: s^e mod n
// with a small e. Verification handles no secret, so it needs no constant
// time; it needs to be right, which TestVerifyRSAMatchesCryptoRSA and
// FuzzVerifyRSA check against crypto/rsa.
//
// What is refused is what crypto/rsa refused (its checkPublicKey and
// VerifyPKCS1v15): an even modulus, an even exponent or one below 3 or above
// 2^31-1, a signature of another length than the modulus, a signature
// representative not below n. crypto/rsa also refuses keys under 1024 bits;
// these are verified here, because the caller says why it rejects them
// (RFC 8301 §3.2) and Key.Bits tells it.

// RSAPublicKey is an RSA public key (RFC 8017 §3.1) as read from a key
// record's p=.
type RSAPublicKey struct {
	// N is the modulus, big-endian, without leading zero octets.
	N []byte
	// E is the public exponent.
	E uint64
}

// BitLen is the modulus length in bits.
func (k *RSAPublicKey) BitLen() int {
	if len(k.N) == 0 {
		return 0
	}
	return (len(k.N)-1)*8 + bits.Len8(k.N[0])
}

// maxRSAExponent is crypto/rsa's bound on e, kept so that no signature
// verifies here that crypto/rsa refused.
const maxRSAExponent = 1<<31 - 1

// DigestInfo prefixes of RFC 8017 §9.2 note 1.
var (
	prefixSHA1   = []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
	prefixSHA256 = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
)

// verifyRSA is RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) of sig over
// digest, the hash h of the message. It returns a KindFail error when the
// signature does not verify.
func verifyRSA(pub *RSAPublicKey, h crypto.Hash, digest, sig []byte) error {
	var prefix []byte
	switch h {
	case crypto.SHA1:
		prefix = prefixSHA1
	case crypto.SHA256:
		prefix = prefixSHA256
	default:
		return permErr("unsupported hash")
	}
	if len(digest) != h.Size() {
		return failErr("digest of the wrong length")
	}
	n := pub.N
	if len(n) == 0 || n[0] == 0 || n[len(n)-1]&1 == 0 {
		return failErr("the RSA modulus is even")
	}
	if pub.E < 3 || pub.E&1 == 0 || pub.E > maxRSAExponent {
		return failErr("the RSA exponent is even, below 3 or above 2^31-1")
	}
	// §8.2.2 step 1: the signature is k octets long, k the modulus length
	// in octets.
	k := len(n)
	if len(sig) != k {
		return failErr("the signature is %d octets, the modulus %d", len(sig), k)
	}
	// §9.2 step 3: emLen < tLen + 11 is "intended encoded message length
	// too short".
	tLen := len(prefix) + len(digest)
	if k < tLen+11 {
		return failErr("key too short for the hash")
	}
	// §8.2.2 step 2: OS2IP, then RSAVP1 (§5.2.2), which requires s < n,
	// then I2OSP into k octets.
	mod := newModulus(n)
	s := mod.limbs(sig)
	if !mod.less(s) {
		return failErr("signature representative out of range")
	}
	em := mod.bytes(mod.exp(s, pub.E), k)
	// §8.2.2 steps 3 and 4: EMSA-PKCS1-v1_5 encoding (§9.2) of the digest,
	// compared with em as a whole. Building the expected encoding and
	// comparing, rather than parsing em, leaves no room for the lenient
	// parsing behind Bleichenbacher's 2006 forgery.
	want := make([]byte, k)
	want[1] = 1
	for i := 2; i < k-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-tLen:], prefix)
	copy(want[k-len(digest):], digest)
	if subtle.ConstantTimeCompare(em, want) != 1 {
		return failErr("signature mismatch")
	}
	return nil
}

// modulus is an odd modulus in 32-bit limbs, least significant first, for
// Montgomery multiplication with R = 2^(32·len(n)).
type modulus struct {
	n []uint32
	// n0inv is -n^-1 mod 2^32.
	n0inv uint32
}

func newModulus(be []byte) *modulus {
	m := &modulus{n: toLimbs(be, (len(be)+3)/4)}
	// Newton's iteration for n[0]^-1 mod 2^32: x = n0 is right in its low
	// 3 bits for odd n0 (n0·n0 ≡ 1 mod 8), and each step doubles that.
	n0 := m.n[0]
	x := n0
	for range 4 {
		x *= 2 - n0*x
	}
	m.n0inv = -x
	return m
}

// limbs converts big-endian octets, at most as long as the modulus, to
// little-endian limbs of the modulus's length.
func (m *modulus) limbs(be []byte) []uint32 { return toLimbs(be, len(m.n)) }

// toLimbs converts big-endian octets, at most 4·size of them, to size
// little-endian 32-bit limbs.
func toLimbs(be []byte, size int) []uint32 {
	out := make([]uint32, size)
	for i := range be {
		b := be[len(be)-1-i]
		out[i/4] |= uint32(b) << (8 * (i % 4))
	}
	return out
}

// bytes converts limbs to k big-endian octets; the value fits k octets.
func (m *modulus) bytes(x []uint32, k int) []byte {
	out := make([]byte, k)
	for i := 0; i < k && i/4 < len(x); i++ {
		out[k-1-i] = byte(x[i/4] >> (8 * (i % 4)))
	}
	return out
}

// less reports whether x < n.
func (m *modulus) less(x []uint32) bool {
	for i := len(m.n) - 1; i >= 0; i-- {
		if x[i] != m.n[i] {
			return x[i] < m.n[i]
		}
	}
	return false
}

// subtract sets x = x - n and returns the borrow.
func (m *modulus) subtract(x []uint32) uint32 {
	var borrow uint32
	for i := range m.n {
		x[i], borrow = bits.Sub32(x[i], m.n[i], borrow)
	}
	return borrow
}

// double sets x = 2x mod n for x < n.
func (m *modulus) double(x []uint32) {
	// 2x < 2n: one subtraction reduces it.
	carry := x[len(x)-1] >> 31
	for i := len(x) - 1; i > 0; i-- {
		x[i] = x[i]<<1 | x[i-1]>>31
	}
	x[0] <<= 1
	if carry != 0 || !m.less(x) {
		m.subtract(x)
	}
}

// rSquared returns R^2 mod n, which takes a number into the Montgomery
// domain: mul(x, R^2) = x·R mod n. With 32·len(n) = a·2^j, it is the
// Montgomery form of 2^a, squared j times: (2^a·R)^(2^j)·R^(1-2^j) =
// 2^(32·len(n))·R = R^2. The form of 2^a, 2^(32·len(n)+a) mod n, comes from
// doubling the largest power of two below n. A doubling costs about
// 3·len(n) word operations and a squaring 2·len(n)^2, so a stays at least
// len(n) and below 2·len(n) when it can.
func (m *modulus) rSquared() []uint32 {
	l := len(m.n)
	a, j := 32*l, 0
	for a%2 == 0 && a/2 >= l {
		a /= 2
		j++
	}
	x := make([]uint32, l)
	top := m.bitLen() - 1
	if top == 0 {
		return x // n = 1: every residue is 0
	}
	x[top/32] = 1 << (top % 32)
	for range 32*l + a - top {
		m.double(x)
	}
	for range j {
		x = m.mul(x, x)
	}
	return x
}

// bitLen is the length of n in bits.
func (m *modulus) bitLen() int {
	l := len(m.n)
	return 32*(l-1) + bits.Len32(m.n[l-1])
}

// mul returns a·b·R^-1 mod n for a, b < n (Montgomery multiplication,
// coarsely integrated operand scanning).
func (m *modulus) mul(a, b []uint32) []uint32 {
	l := len(m.n)
	t := make([]uint32, l+2)
	for i := range l {
		// t += a[i]·b
		var c uint64
		ai := uint64(a[i])
		for j := range l {
			x := uint64(t[j]) + ai*uint64(b[j]) + c
			t[j], c = uint32(x), x>>32
		}
		x := uint64(t[l]) + c
		t[l], t[l+1] = uint32(x), uint32(x>>32)
		// t = (t + q·n) / 2^32, q chosen so that the low limb is zero.
		q := uint64(t[0] * m.n0inv)
		x = uint64(t[0]) + q*uint64(m.n[0])
		c = x >> 32
		for j := 1; j < l; j++ {
			x = uint64(t[j]) + q*uint64(m.n[j]) + c
			t[j-1], c = uint32(x), x>>32
		}
		x = uint64(t[l]) + c
		t[l-1] = uint32(x)
		t[l] = t[l+1] + uint32(x>>32)
		t[l+1] = 0
	}
	// t < 2n: subtract n once if t ≥ n.
	r := t[:l]
	if t[l] != 0 || !m.less(r) {
		m.subtract(r)
	}
	return r
}

// exp returns s^e mod n for s < n and e ≥ 1, by left-to-right binary
// exponentiation in the Montgomery domain.
func (m *modulus) exp(s []uint32, e uint64) []uint32 {
	sm := m.mul(s, m.rSquared())
	acc := sm
	for i := bits.Len64(e) - 2; i >= 0; i-- {
		acc = m.mul(acc, acc)
		if e>>uint(i)&1 != 0 {
			acc = m.mul(acc, sm)
		}
	}
	one := make([]uint32, len(m.n))
	one[0] = 1
	return m.mul(acc, one)
}
