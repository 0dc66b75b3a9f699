package dmarc

import (
	"errors"
	"strings"
	"testing"
)

func TestAuthorDomain(t *testing.T) {
	tests := []struct {
		in   string
		want string
		n    int
		err  error
	}{
		{"user@example.com", "example.com", 1, nil},
		{"User@Example.COM", "example.com", 1, nil},
		{"example.com", "example.com", 1, nil},
		{"Example.com.", "example.com", 1, nil},
		{`"Alice Example" <alice@mail.example.com>`, "mail.example.com", 1, nil},
		{"From: Alice <alice@example.com>", "example.com", 1, nil},
		{"from:alice@example.com", "example.com", 1, nil},
		{"Alice <alice@example.com> (comment)", "example.com", 1, nil},
		{"=?utf-8?q?J=C3=B6rg?= <j@example.com>", "example.com", 1, nil},
		{"=?x-unknown?q?abc?= <j@example.com>", "example.com", 1, nil},
		{"Alice\r\n <alice@example.com>", "example.com", 1, nil},
		{"a@example.com, b@EXAMPLE.com", "example.com", 2, nil},
		{"a@example.com, b@example.net", "example.com", 2, ErrMultipleAuthors},
		{"Team: a@example.com, b@example.org;", "example.com", 2, ErrMultipleAuthors},
		{"Team: a@example.com, b@example.com;", "example.com", 2, nil},
		{"jörg@bücher.example", "xn--bcher-kva.example", 1, nil},
		// Not RFC 5322, read tolerantly.
		{"Broken \"name <a@example.com>", "example.com", 1, nil},
		{"<a@example.com> <b@example.org>", "example.com", 2, ErrMultipleAuthors},
		{"", "", 0, ErrNoFrom},
		{"   ", "", 0, ErrNoFrom},
		{"From:", "", 0, ErrNoFrom},
		{"Undisclosed recipients:;", "", 0, ErrNoFrom},
		{"Alice Example", "", 0, ErrNoFrom},
		{"a@[192.0.2.1]", "", 1, ErrBadFrom},
		{"a@", "", 0, ErrBadFrom},
		{"a@exa_mple..com", "", 1, ErrBadFrom},
		{"exa$mple.com", "", 0, ErrBadFrom},
		{strings.Repeat("a", maxFromLen+1), "", 0, ErrBadFrom},
	}
	for _, tc := range tests {
		got, n, err := AuthorDomain(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && n != tc.n) {
			t.Errorf("AuthorDomain(%q): got %q, %d, %v; want %q, %d, %v", tc.in, got, n, err, tc.want, tc.n, tc.err)
		}
	}
}
