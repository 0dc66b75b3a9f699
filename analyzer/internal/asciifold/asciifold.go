// Package asciifold compares header words with lower-case ASCII keywords
// case-insensitively without allocating. Mail headers are mostly ASCII
// (RFC 5322 §2.2); the parsers of Received fields and dates compare every
// word with keyword lists, so these comparisons sit on the hot path.
package asciifold

import "strings"

// LowerNonASCII returns strings.ToLower(s) for s with non-ASCII bytes
// (where a few letters, such as U+0130, lower-case to ASCII ones) and s
// itself otherwise. The other functions compare its result with lower-case
// ASCII words as strings.ToLower(s) would.
func LowerNonASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// HasPrefix reports whether s, ASCII-lower-cased, starts with the
// lower-case ASCII prefix.
func HasPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerByte(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// Equal reports whether s, ASCII-lower-cased, is the lower-case word w.
func Equal(s, w string) bool { return len(s) == len(w) && HasPrefix(s, w) }

// PrefixOf reports whether s, ASCII-lower-cased, is a prefix of the
// lower-case word w.
func PrefixOf(s, w string) bool { return len(s) <= len(w) && HasPrefix(s, w[:len(s)]) }
