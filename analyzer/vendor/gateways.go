package vendor

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	vendorProofpoint = "Proofpoint"
	vendorMimecast   = "Mimecast"
	vendorBarracuda  = "Barracuda"
	vendorIronPort   = "Cisco Secure Email (IronPort)"
)

// Proofpoint: meanings follow the Proofpoint Protection Server / Email
// Protection administration guides ("Spam Detection" — X-Proofpoint-Spam-
// Details header, score ranges 0–100 per classifier).
var proofpointKeys = meanings{
	{"rule", "the filtering rule that decided what happened to the message"},
	{"policy", "the policy route the message was processed under"},
	{"score", "the score for the classifier named by classifier="},
	{"spamscore", "spam classifier score, 0 (clean) to 100 (certainly spam)"},
	{"phishscore", "phishing classifier score, 0 to 100"},
	{"malwarescore", "malware classifier score, 0 to 100"},
	{"suspectscore", "suspect (possibly spam) classifier score, 0 to 100"},
	{"adultscore", "adult-content classifier score, 0 to 100"},
	{"bulkscore", "bulk mail classifier score, 0 to 100"},
	{"lowpriorityscore", "low-priority mail classifier score, 0 to 100"},
	{"impostorscore", "impostor (business email compromise) classifier score, 0 to 100"},
	{"clxscore", "score from the CLX (content) engine"},
	{"mlxscore", "score from the MLX (machine learning) engine"},
	{"mlxlogscore", "detailed MLX engine score"},
	{"priorityscore", "priority classifier score"},
	{"classifier", "the classifier whose score decided"},
	{"adjust", "adjustment applied to the score"},
	{"reason", "the engine that produced the deciding score"},
	{"scancount", "how many times the message was scanned"},
	{"engine", "Proofpoint engine version"},
	{"definitions", "Proofpoint definitions (rules) version"},
	{"vendor", "anti-virus vendor"},
	{"signatures", "anti-virus signatures version"},
}

// Mimecast: "Mimecast Message Headers" knowledge base article.
var mimecastImpersonation = meanings{
	{"POLICY", "the Impersonation Protection policy that was applied"},
	{"SIMILAR INTERNAL DOMAIN", "the sender's domain resembles one of the organization's domains"},
	{"SIMILAR MONITORED EXTERNAL DOMAIN", "the sender's domain resembles a monitored external domain"},
	{"CUSTOM EXTERNAL DOMAIN", "the sender's domain is on the custom external domain list"},
	{"MIMECAST EXTERNAL DOMAIN", "the sender's domain resembles a domain on Mimecast's list of commonly impersonated domains"},
	{"NEWLY OBSERVED DOMAIN", "the sender's domain was registered or first seen recently"},
	{"INTERNAL USER NAME", "the display name matches a user of the organization"},
	{"CUSTOM DISPLAY NAME LIST", "the display name is on the custom display name list"},
	{"REPLY-TO ADDRESS MISMATCH", "the Reply-To address differs from the From address"},
	{"TARGETED THREAT DICTIONARY", "the message contains words from the targeted threat dictionary"},
	{"MIMECAST THREAT DICTIONARY", "the message contains words from Mimecast's threat dictionary"},
	{"CUSTOM THREAT DICTIONARY", "the message contains words from the custom threat dictionary"},
}

// Cisco: "User Guide for AsyncOS for Cisco Secure Email Gateway" —
// SenderBase Reputation Score, anti-spam and anti-virus headers.

// registerGateways adds this file's decoders to t.
func registerGateways(t decoderTable) {
	t.register(vendorProofpoint, decodeProofpointPairs("spam details"), "X-Proofpoint-Spam-Details")
	t.register(vendorProofpoint, decodeProofpointPairs("anti-virus versions"), "X-Proofpoint-Virus-Version")
	t.register(vendorProofpoint, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("guid", v, "Proofpoint message identifier, used to find the message in Proofpoint logs", true)
		d.Summary = "Proofpoint message ID " + v
	}, "X-Proofpoint-GUID", "X-Proofpoint-ORIG-GUID")
	t.register(vendorProofpoint, func(d *Decoded) {
		v := collapse(d.Raw)
		d.add("reason", v, "why Proofpoint classified the message (e.g. safe, orgsafe, mlx)", true)
		d.Summary = "Proofpoint spam reason: " + v
	}, "X-Proofpoint-Spam-Reason")

	t.register(vendorMimecast, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		_, err := strconv.ParseFloat(v, 64)
		d.add("score", v, "Mimecast spam score: higher means more likely spam", err == nil)
		d.Summary = "Mimecast spam score " + v
	}, "X-Mimecast-Spam-Score")
	t.register(vendorMimecast, decodeMimecastImpersonation, "X-Mimecast-Impersonation-Protect")
	t.register(vendorMimecast, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("id", v, "Mimecast aggregate identifier for the message flow; used by Mimecast support and logs", true)
		d.Summary = "Mimecast flow ID " + v
	}, "X-Mimecast-MFC-AGG-ID")

	t.register(vendorBarracuda, decodeSpamScore, "X-Barracuda-Spam-Score")
	t.register(vendorBarracuda, decodeBarracudaStatus, "X-Barracuda-Spam-Status")
	t.register(vendorBarracuda, decodeSpamReport, "X-Barracuda-Spam-Report")
	t.register(vendorBarracuda, decodeSpamFlag, "X-Barracuda-Spam-Flag")
	t.register(vendorBarracuda, text("envelope-from", "the envelope sender (SMTP MAIL FROM) seen by the Barracuda appliance"), "X-Barracuda-Envelope-From")
	t.register(vendorBarracuda, text("id", "the Barracuda message log ID"), "X-ASG-Debug-ID")
	t.register(vendorBarracuda, text("connect", "the host and IP address that connected to the Barracuda appliance"), "X-Barracuda-Connect")
	t.register(vendorBarracuda, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		_, err := strconv.ParseInt(v, 10, 64)
		d.add("start-time", v, "when the Barracuda appliance started processing the message (Unix time)", err == nil)
		d.Summary = "Barracuda start time " + v
	}, "X-Barracuda-Start-Time")
	t.register(vendorBarracuda, text("subject", "the original Subject before the appliance tagged it"), "X-ASG-Orig-Subj")
	t.register(vendorBarracuda, text("scanner", "the appliance that scanned the message for viruses"), "X-Barracuda-Virus-Scanned")

	t.register(vendorIronPort, decodeIronPortAV, "X-IronPort-AV")
	t.register(vendorIronPort, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		if strings.EqualFold(v, "true") {
			d.add("filtered", v, "the message was scanned by IronPort anti-spam", true)
		} else {
			d.add("filtered", v, "value not documented", false)
		}
		d.Summary = "IronPort anti-spam scanned: " + v
	}, "X-IronPort-Anti-Spam-Filtered")
	t.register(vendorIronPort, func(d *Decoded) { d.opaque("encoded IronPort anti-spam result") }, "X-IronPort-Anti-Spam-Result", "X-IPAS-Result")
	t.register(vendorIronPort, decodeSBRS, "X-SBRS", "X-IronPort-Reputation")
	t.register(vendorIronPort, text("remote-ip", "the IP address that connected to the gateway"), "X-IronPort-RemoteIP")
	t.register(vendorIronPort, text("mid", "the gateway's message ID, used in its message tracking"), "X-IronPort-MID")
	t.register(vendorIronPort, text("sender-group", "the host access table sender group the connection matched"), "X-IronPort-SenderGroup")
	t.register(vendorIronPort, text("mail-flow-policy", "the mail flow policy applied to the connection"), "X-IronPort-MailFlowPolicy")
	t.register(vendorIronPort, text("listener", "the gateway listener that accepted the message"), "X-IronPort-Listener")
}

// text decodes a documented single value.
func text(key, meaning string) decoder {
	return func(d *Decoded) {
		v := collapse(d.Raw)
		d.add(key, v, meaning, true)
		d.Summary = d.Vendor + " " + key + ": " + v
	}
}

func decodeProofpointPairs(what string) decoder {
	return func(d *Decoded) {
		var sum []string
		for _, p := range splitPairs(collapse(d.Raw), ";,") {
			k, v := p[0], p[1]
			m, ok := proofpointKeys.get(strings.ToLower(k))
			if !ok {
				m = "not documented by Proofpoint"
			}
			d.add(k, v, m, ok)
			switch strings.ToLower(k) {
			case "rule":
				sum = append(sum, "rule "+v)
				lv := strings.ToLower(v)
				switch {
				case strings.Contains(lv, "notspam"):
					d.Verdict = "not-spam"
				case strings.Contains(lv, "bulk"):
					d.Verdict = "bulk"
				case strings.Contains(lv, "phish"):
					d.Verdict = "phish"
				case strings.Contains(lv, "malware"), strings.Contains(lv, "virus"):
					d.Verdict = "malware"
				case strings.Contains(lv, "spam"):
					d.Verdict = "spam"
				}
			case "spamscore", "phishscore", "malwarescore", "bulkscore", "impostorscore":
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					sum = append(sum, k+" "+v)
				}
			}
		}
		d.Summary = "Proofpoint " + what
		if len(sum) > 0 {
			d.Summary += ": " + strings.Join(sum, ", ")
		}
	}
}

func decodeMimecastImpersonation(d *Decoded) {
	var hits []string
	for _, part := range strings.Split(collapse(d.Raw), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		m, ok := mimecastImpersonation.get(strings.ToUpper(k))
		if !ok {
			m = "not documented by Mimecast"
		}
		d.add(k, v, m, ok)
		if strings.EqualFold(v, "true") {
			hits = append(hits, k)
		}
		if len(d.Fields) >= maxFields {
			break
		}
	}
	if len(hits) > 0 {
		d.Summary = "Mimecast impersonation indicators: " + strings.Join(hits, ", ")
		d.Verdict = "phish"
	} else {
		d.Summary = "Mimecast impersonation check: no indicator hit"
	}
}

// decodeBarracudaStatus decodes "No, SCORE=0.00 using global scores of
// TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=6.0 tests=A, B".
func decodeBarracudaStatus(d *Decoded) {
	v := collapse(d.Raw)
	yn, rest, _ := strings.Cut(v, ",")
	yn = strings.TrimSpace(yn)
	if strings.Contains(yn, "=") {
		yn, rest = "", v
	}
	switch strings.ToLower(yn) {
	case "yes":
		d.add("verdict", yn, "the score reached the tag level: classified as spam", true)
		d.Verdict = "spam"
	case "no":
		d.add("verdict", yn, "the score stayed below the tag level", true)
		d.Verdict = "not-spam"
	case "":
	default:
		d.add("verdict", yn, "verdict word not documented", false)
	}
	meanings := map[string]string{
		"SCORE":            "the message's spam score",
		"TAG_LEVEL":        "score at or above which the message is tagged as spam",
		"QUARANTINE_LEVEL": "score at or above which the message is quarantined",
		"KILL_LEVEL":       "score at or above which the message is blocked",
		"TESTS":            "names of the rules that matched",
	}
	rest = strings.ReplaceAll(rest, ", ", ",")
	var score string
	for _, p := range splitPairs(rest, "") {
		k, val := p[0], p[1]
		if val == "" {
			continue // words of "using global scores of"
		}
		if m, ok := meanings[strings.ToUpper(k)]; ok {
			d.add(k, val, m, true)
		} else {
			d.add(k, val, "not documented by Barracuda", false)
		}
		switch strings.ToUpper(k) {
		case "SCORE":
			score = val
		case "TESTS":
			for _, r := range strings.Split(val, ",") {
				if r = strings.TrimSpace(r); r != "" {
					d.rule(r, "")
				}
			}
		}
	}
	d.Summary = "Barracuda"
	if yn != "" {
		d.Summary += ": " + map[bool]string{true: "spam", false: "not spam"}[strings.EqualFold(yn, "yes")]
	}
	if score != "" {
		d.Summary += ", score " + score
	}
}

// decodeIronPortAV decodes `E=Sophos;i="5.95,173,1661835600";d="...";a="..."`.
func decodeIronPortAV(d *Decoded) {
	for _, p := range splitPairs(collapse(d.Raw), ";") {
		k, v := p[0], p[1]
		switch k {
		case "E":
			d.add(k, v, "the anti-virus engine vendor", true)
		case "i":
			d.add(k, v, "engine and definitions version information", true)
		default:
			d.add(k, v, "not documented by Cisco", false)
		}
	}
	d.Summary = "IronPort anti-virus scan record"
}

// decodeSBRS: SenderBase (Talos) reputation score, -10.0 (worst) to +10.0
// (best), or "None" when there is no data for the sender.
func decodeSBRS(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	if strings.EqualFold(v, "none") {
		d.add("score", v, "no reputation data for the sending IP address", true)
		d.Summary = "SenderBase reputation: no data"
		return
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < -10 || n > 10 {
		d.add("score", v, "reputation score outside -10..+10", false)
		d.Summary = "SenderBase reputation " + v
		return
	}
	var m string
	switch {
	case n < 0:
		m = "poor reputation (negative scores are associated with spam sources)"
	case n == 0:
		m = "neutral reputation"
	default:
		m = "good reputation (positive scores are associated with legitimate senders)"
	}
	d.add("score", v, fmt.Sprintf("SenderBase reputation score from -10 to +10: %s", m), true)
	d.Summary = "SenderBase reputation " + v
}
