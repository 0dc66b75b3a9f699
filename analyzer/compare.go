package analyzer

import (
	"fmt"
	"strings"

	"headerlens/analyzer/address"
	"headerlens/analyzer/dkim"
	"headerlens/analyzer/internal/dkimcore"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/result"
)

// Comparison sets what a receiving server recorded at delivery beside what
// the live check finds now, and explains a difference.
type Comparison struct {
	// Method is "spf", "dkim", "dmarc" or "arc".
	Method string `json:"method"`
	// Subject names what was checked, e.g. "d=example.com s=sel" for DKIM.
	Subject string `json:"subject,omitempty"`
	// Recorded is the recorded result, "" when the receiver recorded none.
	Recorded result.Word `json:"recorded"`
	// RecordedBy is the authserv-id of the recording server.
	RecordedBy string `json:"recordedBy,omitempty"`
	// Trusted says the recorded verdict was written inside the receiving
	// organization (at or above the trust boundary).
	Trusted bool `json:"trusted"`
	// Live is the live result, "" when it was not evaluated.
	Live result.Word `json:"live"`
	// Agree is true when both results are the same.
	Agree bool `json:"agree"`
	// Explanation says why they differ, or what agreement does not show.
	Explanation string `json:"explanation,omitempty"`
}

// compare pairs recorded verdicts with live results. Trusted verdicts are
// preferred; untrusted ones are compared only when no trusted one exists
// for the method, and flagged as such.
func compare(verdicts []recorded.Verdict, live *Live, repaired bool, hasBody bool) []Comparison {
	if live == nil || !live.Enabled {
		return nil
	}
	pick := func(method string) []recorded.Verdict {
		var trusted, other []recorded.Verdict
		for _, v := range verdicts {
			if v.Method != method || v.Header == recorded.HeaderARCAuthResults {
				continue
			}
			if v.Trusted {
				trusted = append(trusted, v)
			} else {
				other = append(other, v)
			}
		}
		if len(trusted) > 0 {
			return trusted
		}
		return other
	}
	var out []Comparison

	// SPF (RFC 7208).
	if vs := pick("spf"); len(vs) > 0 {
		v := vs[0]
		c := Comparison{Method: "spf", Recorded: v.Result, RecordedBy: v.AuthservID, Trusted: v.Trusted}
		if d := firstNonEmpty(v.Properties["smtp.mailfrom"], v.Properties["envelope-from"]); d != "" {
			c.Subject = "mail from " + d
		}
		switch {
		case live.SPF == nil:
			c.Explanation = "SPF was not re-checked: " + live.SPFSkipped
		default:
			c.Live = live.SPF.Result
			c.Agree = c.Live == c.Recorded
			if !c.Agree {
				c.Explanation = spfDifference(v, live)
			}
		}
		out = append(out, c)
	}

	// DKIM (RFC 6376): match each live signature with the verdict naming
	// its d= (and s= or b= when given).
	dkimVerdicts := pick("dkim")
	for _, d := range live.DKIM {
		if len(dkimVerdicts) == 0 {
			break // the receiver recorded no DKIM results at all
		}
		c := Comparison{Method: "dkim", Subject: "d=" + d.Domain + " s=" + d.Selector, Live: d.Result}
		if v, ok := matchDKIM(dkimVerdicts, d); ok {
			c.Recorded, c.RecordedBy, c.Trusted = v.Result, v.AuthservID, v.Trusted
		}
		c.Agree = c.Recorded == c.Live
		switch {
		case c.Recorded == "":
			c.Explanation = "The receiver recorded no result for this signature."
		case !c.Agree:
			c.Explanation = dkimDifference(c.Recorded, d, repaired, hasBody)
		case d.Scope == dkimcore.ScopeHeadersOnly && d.Result == "pass":
			c.Explanation = "Both pass, but only the header signature was re-checked: the body was not supplied, so its hash was not compared."
		}
		out = append(out, c)
	}

	// DMARC (RFC 7489, RFC 9989).
	if vs := pick("dmarc"); len(vs) > 0 && live.DMARC != nil {
		v := vs[0]
		c := Comparison{Method: "dmarc", Subject: live.DMARC.FromDomain, Recorded: v.Result, RecordedBy: v.AuthservID, Trusted: v.Trusted, Live: live.DMARC.Result}
		c.Agree = c.Recorded == c.Live
		if !c.Agree {
			c.Explanation = "DMARC passes when an aligned SPF or DKIM result passes (RFC 7489 §4.2), so it follows the differences above"
			if live.DMARC.Result == "temperror" {
				c.Explanation = "The DMARC record could not be fetched now (DNS error); the receiver's result stands."
			} else if live.DMARC.Record == "" && c.Recorded != "none" {
				c.Explanation = "No DMARC record is published now; it may have been removed or changed since delivery."
			} else {
				c.Explanation += "; the DMARC record itself may also have changed since delivery."
			}
		}
		out = append(out, c)
	}

	// ARC (RFC 8617): the receiver records arc=pass/fail/none.
	if vs := pick("arc"); len(vs) > 0 && live.ARC != nil {
		v := vs[0]
		c := Comparison{Method: "arc", Recorded: v.Result, RecordedBy: v.AuthservID, Trusted: v.Trusted, Live: live.ARC.Result}
		c.Agree = c.Recorded == c.Live
		if !c.Agree {
			c.Explanation = "The ARC chain validates differently now: " + live.ARC.Reason
			if c.Recorded == "pass" && live.ARC.Result == "fail" {
				c.Explanation += ". Sealing keys may have been rotated since delivery, or the receiver added its own ARC set after recording arc=pass."
			}
		}
		out = append(out, c)
	}
	return out
}

func spfDifference(v recorded.Verdict, live *Live) string {
	id := live.Identities
	if d := firstNonEmpty(v.Properties["smtp.mailfrom"], v.Properties["envelope-from"]); d != "" && id != nil && id.MailFrom != "" &&
		!strings.EqualFold(address.PathDomain(d), address.PathDomain(id.MailFrom)) {
		return fmt.Sprintf("The receiver checked the envelope sender %q but the live check used %q; give the right one with the mail-from option.", d, id.MailFrom)
	}
	if ip := v.Properties["client-ip"]; ip != "" && id != nil && ip != id.IP {
		return fmt.Sprintf("The receiver checked client IP %s but the live check used %s (%s); give the right one with the ip option.", ip, id.IP, id.IPSource)
	}
	if live.SPF.Result == "temperror" {
		return "The SPF record could not be fetched now (DNS error); the receiver's result stands."
	}
	if id != nil && id.IPSource == "trail" {
		return "The SPF record has probably changed since delivery (senders add and remove servers), or the trust boundary picked the wrong connecting IP; compare the trace with the record the receiver saw."
	}
	return "The SPF record has probably changed since delivery: senders add and remove servers over time."
}

func dkimDifference(rec result.Word, d dkim.Result, repaired, hasBody bool) string {
	switch {
	case rec == "pass" && d.Result == "permerror" && d.KeyRecord == "":
		return fmt.Sprintf("The key %s._domainkey.%s cannot be used now (%s). Senders rotate keys and remove old ones after delivery, so a signature that passed then can fail now without any tampering.", d.Selector, d.Domain, d.Reason)
	case rec == "pass" && d.Result == "temperror":
		return "The key could not be fetched now (DNS error); the receiver's result stands."
	case rec == "pass" && d.Result == "fail" && repaired:
		return "The input had to be repaired (see the input notes): copy-paste that re-folds or re-indents header lines changes the signed bytes, which breaks the signature without any tampering by the sender."
	case rec == "pass" && d.Result == "fail" && d.BodyHash == dkimcore.BodyMismatch:
		return "The body pasted here is not the body that was signed: it may have been changed on the way, or re-encoded when it was copied."
	case rec == "fail" && d.Result == "pass" && !hasBody:
		return "Only the header signature was re-checked here because no body was supplied; the receiver's failure may come from a changed body (body hash mismatch)."
	case rec == "pass" && d.Result == "policy":
		return "The signature verifies, but headerlens refuses it by policy (" + d.Reason + "); the receiver was more lenient."
	}
	return "The results differ: the key record or the message may have changed since delivery. See the DKIM reason: " + d.Reason
}

// matchDKIM finds the recorded verdict about signature d: same header.d
// (or the domain of header.i), and same header.s or header.b prefix when
// the verdict names one (RFC 6008 §4).
func matchDKIM(vs []recorded.Verdict, d dkim.Result) (recorded.Verdict, bool) {
	var fallback *recorded.Verdict
	for i, v := range vs {
		dom := v.Properties["header.d"]
		if dom == "" {
			dom = address.Domain(v.Properties["header.i"])
		}
		if !strings.EqualFold(strings.TrimSuffix(dom, "."), d.Domain) {
			continue
		}
		if s := v.Properties["header.s"]; s != "" && !strings.EqualFold(s, d.Selector) {
			continue
		}
		if b := v.Properties["header.b"]; b != "" && d.HeaderB != "" && !strings.HasPrefix(d.HeaderB, b) && !strings.HasPrefix(b, d.HeaderB) {
			continue
		}
		if v.Properties["header.s"] != "" || v.Properties["header.b"] != "" {
			return v, true
		}
		if fallback == nil {
			fallback = &vs[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return recorded.Verdict{}, false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
