// Package spf evaluates Sender Policy Framework policies: a strict
// implementation of check_host() from RFC 7208, with a step-by-step trace of
// every term evaluated, the DNS queries each term made and the running
// lookup counts, plus lint findings about the policies it met.
//
// Why our own: blitiri.com.ar/go/spf passes only about 170 of the 203 tests
// of the openspf RFC 7208 test suite, and its trace is printf text. This
// package is held to every scenario of that suite and of the older RFC 4408
// suite (suite_test.go runs both through the real DNS-over-HTTPS client
// against the fixture DoH server, and fails on any miss), and records its
// trace as data that the report and the page can render.
//
// What it implements, by RFC 7208 section:
//   - §2.3, §2.4: the HELO and MAIL FROM identities (CheckHELO,
//     CheckMailFrom, and Check for both, the way a receiver does);
//   - §4.3: domain validation, "postmaster" for a missing local-part;
//   - §4.4, §4.5: record lookup (TXT only, §3.1) and selection;
//   - §4.6: the whole record is parsed before evaluation, so a syntax error
//     anywhere is a permerror (Parse);
//   - §4.6.4: 10 DNS-querying terms, 10 MX names per "mx", 10 PTR names per
//     "ptr" or %{p}, and 2 void lookups;
//   - §5: every mechanism, with dual-CIDR lengths for "a" and "mx";
//   - §6: the redirect and exp modifiers, unknown modifiers ignored;
//   - §7: macros, including exp-only letters, transformers, delimiters,
//     URL escaping of upper-case letters and domain name truncation.
//
// DNS goes only through lookup.Resolver, so the same code runs against the
// system resolver, the DoH client in the browser, and the fixture server in
// tests. Hostile records cannot make it panic, loop or grow without bound:
// the §4.6.4 limits bound the work, recursion depth is capped, and the
// context deadline (20 s by default, §4.6.4) is honoured.
package spf
