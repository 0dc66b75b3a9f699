package rules

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"

	"headerlens/analyzer/address"
	"headerlens/analyzer/finding"
	"headerlens/analyzer/internal/publicsuffix"
)

// asciiDomain converts a domain to its A-label form (RFC 5891) for
// comparison; on error the lower-cased input is returned.
func asciiDomain(d string) string {
	if a, err := idna.Punycode.ToASCII(d); err == nil && a != "" {
		return strings.ToLower(a)
	}
	return strings.ToLower(d)
}

// OrgDomain returns the organizational domain (RFC 7489 §3.2: the public
// suffix plus one label, from the Public Suffix List) of a domain in
// A-label form. A domain that is itself a public suffix, or that cannot
// be looked up, is returned unchanged.
func OrgDomain(domain string) string {
	d := asciiDomain(strings.TrimSuffix(domain, "."))
	if d == "" || strings.HasPrefix(d, "[") {
		return d
	}
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// AddressMismatch reports Reply-To, Return-Path and Sender addresses in a
// different organizational domain than From.
//
// RFC 5322 §3.6.2: From names the author, Sender the agent that sent it,
// Reply-To where replies should go. RFC 7489 §3.1 compares organizational
// domains for alignment; a Return-Path (RFC 5321 §4.4 envelope sender) in
// another organization means SPF cannot give DMARC alignment.
func AddressMismatch(in Input) []finding.Finding {
	var out []finding.Finding
	if in.FromPresent && len(in.From) == 0 {
		return out
	}
	if !in.FromPresent {
		out = append(out, mk(finding.Error, CodeMissingFrom, SourceHeaders,
			"The message has no From field. RFC 5322 §3.6 requires one; without it nobody can tell who claims to have written the message."))
		return out
	}
	from := in.From[0].Address
	fromDom := address.Domain(from)
	if fromDom == "" {
		return out
	}
	fromOrg := OrgDomain(fromDom)
	seen := map[string]bool{}
	for _, rt := range in.ReplyTo {
		d := address.Domain(rt.Address)
		if d == "" {
			continue
		}
		org := OrgDomain(d)
		if org == fromOrg || seen[org] {
			continue
		}
		seen[org] = true
		out = append(out, mk(finding.Warning, CodeFromReplyToMismatch, SourceAddresses, fmt.Sprintf(
			"Replies go to %s, in a different organization (%s) than the From address %s (%s). Newsletters and help desks do this legitimately; in a phishing message it sends your answer to the attacker.",
			rt.Address, org, from, fromOrg)))
	}
	if d := address.Domain(in.ReturnPath); d != "" {
		if org := OrgDomain(d); org != fromOrg {
			out = append(out, mk(finding.Info, CodeFromReturnPathMismatch, SourceAddresses, fmt.Sprintf(
				"The envelope sender (Return-Path %s, organization %s) differs from the From organization (%s). This is normal for mailing services and forwarders, but it means an SPF pass cannot count towards DMARC alignment (RFC 7489 §3.1.2); DMARC then depends on DKIM.",
				in.ReturnPath, org, fromOrg)))
		}
	}
	if in.Sender != nil {
		if d := address.Domain(in.Sender.Address); d != "" {
			if org := OrgDomain(d); org != fromOrg {
				out = append(out, mk(finding.Info, CodeFromSenderMismatch, SourceAddresses, fmt.Sprintf(
					"The Sender field (%s) names an agent in a different organization (%s) than the author in From (%s) (RFC 5322 §3.6.2). Mail clients may show \"sent on behalf of\".",
					in.Sender.Address, org, fromOrg)))
			}
		}
	}
	return out
}

// addrInText finds things that look like an email address in s.
func addrInText(s string) []string {
	var out []string
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '<' || r == '>' || r == '(' || r == ')' || r == '"' || r == '\'' || r == ',' || r == ';' || r == '[' || r == ']'
	})
	for _, f := range fields {
		f = strings.Trim(f, ".:")
		at := strings.LastIndexByte(f, '@')
		if at <= 0 || at == len(f)-1 {
			continue
		}
		if !strings.Contains(f[at+1:], ".") {
			continue
		}
		out = append(out, f)
	}
	return out
}

// DisplayNameSpoof reports From display names that hold an address other
// than the real one, e.g. "support@paypal.com" <evil@x.example>: most mail
// clients show only the display name (RFC 5322 §3.4 display-name is free
// text and carries no authority).
func DisplayNameSpoof(in Input) []finding.Finding {
	var out []finding.Finding
	for _, a := range in.From {
		real := strings.ToLower(strings.TrimSpace(a.Address))
		for _, shown := range addrInText(a.Name) {
			if strings.ToLower(shown) == real {
				continue
			}
			sev := finding.Warning
			note := ""
			if strings.Contains(strings.ToLower(a.Name), " via ") {
				note = " The words \"via\" suggest a mailing list that rewrote From (as Google Groups and Mailman do for DMARC), which is legitimate."
				sev = finding.Info
			} else if OrgDomain(address.Domain(shown)) == OrgDomain(address.Domain(real)) {
				sev = finding.Info
				note = " Both addresses are in the same organization."
			}
			out = append(out, mk(sev, CodeDisplayNameSpoof, SourceAddresses, fmt.Sprintf(
				"The From display name shows the address %s, but the message is really from %s. Many mail clients show only the display name, so readers see an address that did not send the message.%s",
				shown, a.Address, note)))
		}
	}
	return out
}
