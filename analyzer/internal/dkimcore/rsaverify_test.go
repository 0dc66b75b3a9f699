package dkimcore

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// cryptoRSAVerifies is crypto/rsa's answer for a key of at least 1024 bits
// (it refuses smaller ones whatever the signature).
func cryptoRSAVerifies(n []byte, e uint64, h crypto.Hash, digest, sig []byte) bool {
	if e > 1<<31-1 {
		return false // crypto/rsa's limit; an int keeps it on 32-bit too
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(e)}
	return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
}

// bigExp is the reference RSAVP1: s^e mod n with math/big.
func bigExp(n []byte, e uint64, s []byte) []byte {
	nb := new(big.Int).SetBytes(n)
	m := new(big.Int).Exp(new(big.Int).SetBytes(s), new(big.Int).SetUint64(e), nb)
	return m.FillBytes(make([]byte, len(n)))
}

// TestVerifyRSAMatchesCryptoRSA: verifyRSA accepts exactly the signatures
// crypto/rsa accepts, on real keys of 1024 to 4096 bits, with signatures
// that verify, that are one bit off, out of range, of the wrong length,
// over another digest, and with the other hash.
func TestVerifyRSAMatchesCryptoRSA(t *testing.T) {
	var keys []*rsa.PrivateKey
	for _, bits := range []int{1024, 2048, 3072, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	// A key with e = 3, from primes p, q where 3 does not divide p-1 or q-1.
	keys = append(keys, smallExponentKey(t, 2048))

	digests := map[crypto.Hash][]byte{}
	s1 := sha1.Sum([]byte("headerlens"))
	digests[crypto.SHA1] = s1[:]
	s256 := sha256.Sum256([]byte("headerlens"))
	digests[crypto.SHA256] = s256[:]

	verified := 0
	for _, k := range keys {
		n := k.N.Bytes()
		e := uint64(k.E)
		for h, digest := range digests {
			sig, err := rsa.SignPKCS1v15(nil, k, h, digest)
			if err != nil {
				t.Fatal(err)
			}
			other := bytes.Clone(digest)
			other[0] ^= 1
			cases := map[string]struct {
				h      crypto.Hash
				digest []byte
				sig    []byte
			}{
				"valid":          {h, digest, sig},
				"other digest":   {h, other, sig},
				"flipped bit":    {h, digest, flip(sig, len(sig)-1)},
				"flipped top":    {h, digest, flip(sig, 0)},
				"sig = n":        {h, digest, bytes.Clone(n)},
				"sig = n - 1":    {h, digest, new(big.Int).Sub(k.N, big.NewInt(1)).FillBytes(make([]byte, len(n)))},
				"sig = 0":        {h, digest, make([]byte, len(n))},
				"sig = 1":        {h, digest, big.NewInt(1).FillBytes(make([]byte, len(n)))},
				"sig + 0 prefix": {h, digest, append([]byte{0}, sig...)},
				"sig short":      {h, digest, sig[1:]},
				"sig empty":      {h, digest, nil},
			}
			if h == crypto.SHA256 {
				cases["sha1 hash, sha256 signature"] = struct {
					h      crypto.Hash
					digest []byte
					sig    []byte
				}{crypto.SHA1, digest[:20], sig}
			}
			for name, c := range cases {
				want := cryptoRSAVerifies(n, e, c.h, c.digest, c.sig)
				got := verifyRSA(&RSAPublicKey{N: n, E: e}, c.h, c.digest, c.sig) == nil
				if got != want {
					t.Errorf("rsa%d e=%d %v %s: verifyRSA says %v, crypto/rsa %v", k.N.BitLen(), e, h, name, got, want)
				}
				if got {
					verified++
				}
			}
		}
	}
	if want := len(keys) * len(digests); verified != want {
		t.Errorf("%d signatures verified, want %d (each valid one, nothing else)", verified, want)
	}
}

// smallExponentKey makes an RSA key with e = 3.
func smallExponentKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	three := big.NewInt(3)
	prime := func() *big.Int {
		for {
			p, err := rand.Prime(rand.Reader, bits/2)
			if err != nil {
				t.Fatal(err)
			}
			if new(big.Int).Mod(new(big.Int).Sub(p, big.NewInt(1)), three).Sign() != 0 {
				return p
			}
		}
	}
	p, q := prime(), prime()
	n := new(big.Int).Mul(p, q)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
	d := new(big.Int).ModInverse(three, phi)
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 3}, D: d, Primes: []*big.Int{p, q}}
	k.Precompute()
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	return k
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

// TestVerifyRSAKeyChecks: the keys crypto/rsa refuses are refused, at every
// size: an even modulus, e below 3, an even e, e above 2^31-1.
func TestVerifyRSAKeyChecks(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	n := k.N.Bytes()
	even := bytes.Clone(n)
	even[len(even)-1] &^= 1
	tests := []struct {
		name string
		key  RSAPublicKey
		ok   bool
	}{
		{"the key", RSAPublicKey{N: n, E: 65537}, true},
		{"even modulus", RSAPublicKey{N: even, E: 65537}, false},
		{"e = 1", RSAPublicKey{N: n, E: 1}, false},
		{"e = 2", RSAPublicKey{N: n, E: 2}, false},
		{"e = 65536", RSAPublicKey{N: n, E: 65536}, false},
		{"e = 2^31+1", RSAPublicKey{N: n, E: 1<<31 + 1}, false},
		{"e = 2^63+1", RSAPublicKey{N: n, E: 1<<63 + 1}, false},
		{"no modulus", RSAPublicKey{}, false},
	}
	for _, tt := range tests {
		err := verifyRSA(&tt.key, crypto.SHA256, digest[:], sig)
		if got := err == nil; got != tt.ok {
			t.Errorf("%s: verifyRSA = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && KindOf(err) != KindFail {
			t.Errorf("%s: error kind %v, want %v", tt.name, KindOf(err), KindFail)
		}
	}
}

// TestModExpMatchesBig: the Montgomery exponentiation gives math/big's
// s^e mod n for random odd moduli of 1 to 130 limbs (so under and over
// 1024 bits, and with top limbs of every fill), random s < n, and
// exponents from 1 to 2^64-1.
func TestModExpMatchesBig(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	exps := []uint64{1, 2, 3, 17, 65537, 1<<31 - 1, 1<<63 + 1, 1<<64 - 1}
	for i := range 600 {
		size := 1 + r.IntN(520)
		n := make([]byte, size)
		for j := range n {
			n[j] = byte(r.Uint32())
		}
		if i%3 == 0 {
			n[0] = 0xff // a full top limb
		}
		if n[0] == 0 {
			n[0] = 1
		}
		n[len(n)-1] |= 1
		s := make([]byte, size)
		for j := range s {
			s[j] = byte(r.Uint32())
		}
		switch i % 5 {
		case 0:
			s = new(big.Int).Sub(new(big.Int).SetBytes(n), big.NewInt(1)).FillBytes(s) // n - 1
		case 1:
			clear(s)
		}
		if new(big.Int).SetBytes(s).Cmp(new(big.Int).SetBytes(n)) >= 0 {
			s = new(big.Int).Mod(new(big.Int).SetBytes(s), new(big.Int).SetBytes(n)).FillBytes(make([]byte, size))
		}
		e := exps[i%len(exps)]
		if i%4 == 3 {
			e = r.Uint64() | 1
		}
		mod := newModulus(n)
		got := mod.bytes(mod.exp(mod.limbs(s), e), size)
		if want := bigExp(n, e, s); !bytes.Equal(got, want) {
			t.Fatalf("n=%x\ns=%x\ne=%d: got %x, want %x", n, s, e, got, want)
		}
	}
}

// FuzzVerifyRSA: for any odd modulus, exponent and signature, the
// exponentiation matches math/big and verifyRSA's answer matches
// crypto/rsa's (for keys crypto/rsa accepts, of 1024 bits and more), and
// nothing panics.
func FuzzVerifyRSA(f *testing.F) {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	digest := sha256.Sum256([]byte("seed"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(k.N.Bytes(), uint64(65537), sig, digest[:])
	f.Add([]byte{0xc5}, uint64(3), []byte{0x07}, digest[:])
	f.Add(k.N.Bytes(), uint64(3), flip(sig, 3), digest[:])
	f.Fuzz(func(t *testing.T, n []byte, e uint64, sig, digest []byte) {
		if len(n) > 1100 || len(sig) > 1100 {
			return
		}
		pub := &RSAPublicKey{N: bytes.TrimLeft(n, "\x00"), E: e}
		err := verifyRSA(pub, crypto.SHA256, digest, sig)
		if len(pub.N) > 0 && pub.N[len(pub.N)-1]&1 == 1 && len(sig) == len(pub.N) && e > 0 && e < 1<<40 &&
			new(big.Int).SetBytes(sig).Cmp(new(big.Int).SetBytes(pub.N)) < 0 {
			mod := newModulus(pub.N)
			got := mod.bytes(mod.exp(mod.limbs(sig), e), len(sig))
			if want := bigExp(pub.N, e, sig); !bytes.Equal(got, want) {
				t.Fatalf("n=%x s=%x e=%d: got %x, want %x", pub.N, sig, e, got, want)
			}
		}
		if pub.BitLen() >= 1024 {
			if want := cryptoRSAVerifies(pub.N, e, crypto.SHA256, digest, sig); (err == nil) != want {
				t.Fatalf("n=%x e=%d sig=%x digest=%x: verifyRSA %v, crypto/rsa verifies %v", pub.N, e, sig, digest, err, want)
			}
		}
	})
}

// BenchmarkVerifyRSA: one rsa-sha256 verification, with verifyRSA and with
// crypto/rsa, by key size.
func BenchmarkVerifyRSA(b *testing.B) {
	for _, bits := range []int{1024, 2048, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			b.Fatal(err)
		}
		digest := sha256.Sum256([]byte("bench"))
		sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
		if err != nil {
			b.Fatal(err)
		}
		pub := &RSAPublicKey{N: k.N.Bytes(), E: uint64(k.E)}
		b.Run(fmt.Sprintf("headerlens/%d", bits), func(b *testing.B) {
			for b.Loop() {
				if err := verifyRSA(pub, crypto.SHA256, digest[:], sig); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("crypto-rsa/%d", bits), func(b *testing.B) {
			for b.Loop() {
				if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
