package findings

import (
	"fmt"
	"strings"

	"headerlens/analyzer/finding"
)

// plainProtocols are the RFC 3848 (and RFC 6531 §4.3 UTF8) "with"
// keywords that say SMTP ran without TLS; the "S" variants (ESMTPS,
// ESMTPSA, UTF8SMTPS...) say STARTTLS (RFC 3207) was used.
var plainProtocols = map[string]bool{
	"SMTP": true, "ESMTP": true, "ESMTPA": true,
	"UTF8SMTP": true, "UTF8SMTPA": true,
}

// HopNoTLS reports hops between organizations that used SMTP without TLS,
// as far as the Received field tells: the hop's protocol keyword is a
// plain one (RFC 3848 §2) and nothing else in the field shows TLS.
// Internal hops and hops whose protocol is unknown are not judged.
func HopNoTLS(in Input) []finding.Finding {
	var out []finding.Finding
	for _, h := range in.Hops {
		if h.Encrypted || h.Internal || !plainProtocols[strings.ToUpper(strings.TrimSpace(h.Protocol))] {
			continue
		}
		if h.From == "" && h.IP == "" {
			continue // local submission: nothing crossed a network
		}
		from := h.From
		if from == "" {
			from = h.IP
		} else if h.IP != "" && !strings.Contains(from, h.IP) {
			from += " [" + h.IP + "]"
		}
		out = append(out, mk(finding.Warning, CodeHopNoTLS, SourceHops, fmt.Sprintf(
			"Hop %d, from %s to %s, used %s without TLS: the message crossed the network unencrypted and could have been read or changed on the way. Servers should use STARTTLS (RFC 3207); the protocol keyword is from RFC 3848.",
			h.Index+1, clip(from, 100), clip(h.By, 100), strings.ToUpper(strings.TrimSpace(h.Protocol)))))
	}
	return out
}
