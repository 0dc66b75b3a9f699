package vendor

import (
	"fmt"
	"strconv"
	"strings"
)

const vendorMicrosoft = "Microsoft 365"

// Meanings below follow Microsoft Learn, "Anti-spam message headers in
// Microsoft 365" (X-Forefront-Antispam-Report and X-Microsoft-Antispam
// fields), "Spam confidence level (SCL)", "Bulk complaint level (BCL)"
// and the Exchange "Organization and cross-tenant headers" notes.

// msSFV: spam filtering verdict (SFV field).
var msSFV = meanings{
	{"BLK", "filtering was skipped and the message was blocked because the sender is on the recipient's Blocked Senders list"},
	{"NSPM", "spam filtering marked the message as not spam"},
	{"SFE", "filtering was skipped and the message was allowed because the sender is on the recipient's Safe Senders list"},
	{"SKA", "filtering was skipped and the message was delivered to the inbox because the sender is on an allowed senders or allowed domains list of an anti-spam policy"},
	{"SKB", "marked as spam because the sender matched a blocked senders or blocked domains list of an anti-spam policy"},
	{"SKI", "spam filtering was skipped for another reason, for example mail inside the same tenant"},
	{"SKN", "marked as not spam before spam filtering, for example by a mail flow rule that set SCL -1"},
	{"SKQ", "released from quarantine to the intended recipients"},
	{"SKS", "marked as spam before spam filtering, for example by a mail flow rule"},
	{"SPM", "spam filtering marked the message as spam"},
}

// msCAT: category of protection policy applied (CAT field).
var msCAT = meanings{
	{"AMP", "anti-malware"},
	{"BIMP", "brand impersonation"},
	{"BULK", "bulk"},
	{"DIMP", "domain impersonation"},
	{"FTBP", "anti-malware common attachments filter (file type block)"},
	{"GIMP", "mailbox intelligence impersonation"},
	{"HPHSH", "high confidence phishing"},
	{"HPHISH", "high confidence phishing"},
	{"HSPM", "high confidence spam"},
	{"INTOS", "intra-organization phishing"},
	{"MALW", "malware"},
	{"OSPM", "outbound spam"},
	{"PHSH", "phishing"},
	{"SAP", "Safe Attachments"},
	{"SPM", "spam"},
	{"SPOOF", "spoofing"},
	{"UIMP", "user impersonation"},
	{"NONE", "no protection category applied"},
}

// msCATVerdict maps categories to Decoded.Verdict.
var msCATVerdict = meanings{
	{"BULK", "bulk"}, {"HSPM", "spam"}, {"SPM", "spam"}, {"OSPM", "spam"},
	{"PHSH", "phish"}, {"HPHSH", "phish"}, {"HPHISH", "phish"}, {"SPOOF", "phish"},
	{"DIMP", "phish"}, {"UIMP", "phish"}, {"GIMP", "phish"}, {"BIMP", "phish"}, {"INTOS", "phish"},
	{"MALW", "malware"}, {"AMP", "malware"}, {"SAP", "malware"}, {"FTBP", "malware"},
}

// msSFTY: the message was identified as phishing with this safety value.
var msSFTY = meanings{
	{"9.19", "domain impersonation: the sending domain tries to impersonate a protected domain (a domain impersonation safety tip may be shown)"},
	{"9.20", "user impersonation: the sender tries to impersonate a user of the recipient's organization or a protected user of an anti-phishing policy"},
	{"9.25", "first contact safety tip: may indicate a suspicious or phishing message"},
}

var msIPV = meanings{
	{"CAL", "allowed through spam filtering because the source IP is on the IP Allow List of the connection filter policy"},
	{"NLI", "the source IP is not listed on any IP reputation list"},
}

var msDIR = meanings{
	{"INB", "inbound: from outside the organization"},
	{"OUT", "outbound: sent from the organization to outside"},
	{"INT", "internal: between mailboxes of the organization"},
}

var msSRV = meanings{
	{"BULK", "identified as bulk email by spam filtering and the bulk complaint level (BCL) threshold"},
}

var msAuthAs = meanings{
	{"ANONYMOUS", "the sender was not authenticated (mail from the internet)"},
	{"INTERNAL", "the sender authenticated as a member of the organization"},
	{"PARTNER", "the sender authenticated as a partner (domain-secured, mutual TLS connector)"},
}

var msFromEntity = meanings{
	{"INTERNET", "the message came from outside the tenant"},
	{"HOSTED", "the message came from a mailbox in the tenant"},
}

var msDirectionality = meanings{
	{"INCOMING", "the message entered the organization from outside"},
	{"ORIGINATING", "the message was sent from inside the organization"},
}

// SCLMeaning explains a Microsoft spam confidence level ("Spam confidence
// level (SCL) in Microsoft 365"). ok is false for values Microsoft does
// not assign.
func SCLMeaning(v string) (meaning, verdict string, ok bool) {
	switch strings.TrimSpace(v) {
	case "-1":
		return "not spam: spam filtering was skipped (safe sender, mail flow rule or allow list); delivered to the inbox", "allowed", true
	case "0", "1":
		return "not spam: spam filtering found the message clean; delivered to the inbox", "not-spam", true
	case "5", "6":
		return "spam: the spam filter action of the anti-spam policy applies (by default the Junk Email folder)", "spam", true
	case "7", "8", "9":
		return "high confidence spam: the high confidence spam action applies", "spam", true
	}
	return "", "", false
}

// BCLMeaning explains a Microsoft bulk complaint level ("Bulk complaint
// level (BCL) in EOP"). ok is false outside 0–9.
func BCLMeaning(v string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	switch {
	case n == 0:
		return "not from a bulk sender", true
	case n >= 1 && n <= 3:
		return "from a bulk sender that generates few complaints", true
	case n >= 4 && n <= 7:
		return "from a bulk sender that generates a mixed number of complaints", true
	case n == 8 || n == 9:
		return "from a bulk sender that generates a high number of complaints", true
	}
	return "", false
}

// PCLMeaning explains a phishing confidence level (0–3 not likely
// phishing, 4–8 likely phishing).
func PCLMeaning(v string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	switch {
	case n >= 0 && n <= 3:
		return "content not likely to be phishing", true
	case n >= 4 && n <= 8:
		return "content likely to be phishing", true
	}
	return "", false
}

// registerMicrosoft adds this file's decoders to t.
func registerMicrosoft(t decoderTable) {
	t.register(vendorMicrosoft, decodeForefront, "X-Forefront-Antispam-Report", "X-Forefront-Antispam-Report-Untrusted")
	t.register(vendorMicrosoft, decodeMicrosoftAntispam, "X-Microsoft-Antispam", "X-Microsoft-Antispam-Untrusted")
	t.register(vendorMicrosoft, decodeSCLHeader, "X-MS-Exchange-Organization-SCL")
	t.register(vendorMicrosoft, decodeAuthAs, "X-MS-Exchange-Organization-AuthAs", "X-MS-Exchange-CrossTenant-AuthAs")
	t.register(vendorMicrosoft, simple("AuthSource", "the Exchange server (FQDN) that authenticated the sender; it names the organization that accepted the message"), "X-MS-Exchange-Organization-AuthSource", "X-MS-Exchange-CrossTenant-AuthSource")
	t.register(vendorMicrosoft, simple("TenantId", "the Microsoft 365 tenant (organization) GUID"), "X-MS-Exchange-CrossTenant-Id")
	t.register(vendorMicrosoft, simple("OriginalArrivalTime", "when the message first arrived in Exchange Online"), "X-MS-Exchange-CrossTenant-OriginalArrivalTime")
	t.register(vendorMicrosoft, simple("NetworkMessageId", "the Exchange Online message ID used in message trace"), "X-MS-Exchange-CrossTenant-Network-Message-Id", "X-MS-Exchange-Organization-Network-Message-Id", "X-MS-Office365-Filtering-Correlation-Id")
	t.register(vendorMicrosoft, func(d *Decoded) {
		d.lookup("FromEntityHeader", strings.TrimSpace(d.Raw), "origin", msFromEntity)
		d.Summary = "Microsoft 365 origin: " + strings.TrimSpace(d.Raw)
	}, "X-MS-Exchange-CrossTenant-FromEntityHeader")
	t.register(vendorMicrosoft, func(d *Decoded) {
		d.lookup("MessageDirectionality", strings.TrimSpace(d.Raw), "direction", msDirectionality)
		d.Summary = "Microsoft 365 direction: " + strings.TrimSpace(d.Raw)
	}, "X-MS-Exchange-Organization-MessageDirectionality")
}

// simple decodes a single documented value.
func simple(key, meaning string) decoder {
	return func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add(key, v, meaning, true)
		d.Summary = "Microsoft 365 " + key + ": " + v
	}
}

// msPairs splits "KEY:VALUE;KEY:VALUE" (the value may itself hold ':',
// e.g. an IPv6 CIP).
func msPairs(s string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, ":")
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		if len(out) >= maxFields {
			break
		}
	}
	return out
}

// decodeForefront decodes X-Forefront-Antispam-Report.
func decodeForefront(d *Decoded) {
	var sum []string
	for _, p := range msPairs(d.Raw) {
		k, v := p[0], p[1]
		switch strings.ToUpper(k) {
		case "ARC":
			d.add(k, v, "ARC information recorded by Microsoft 365 (AAR, AMS, AS, CV parts)", true)
		case "CAT":
			d.lookup(k, v, "protection category applied", msCAT)
			if vd, _ := msCATVerdict.get(strings.ToUpper(v)); vd != "" {
				d.Verdict = vd
			}
			if v != "" && !strings.EqualFold(v, "NONE") {
				sum = append(sum, "category "+v)
			}
		case "CIP":
			d.add(k, v, "connecting IP address", true)
			if v != "" {
				sum = append(sum, "from "+v)
			}
		case "CTRY":
			d.add(k, v, "country of the connecting IP address", true)
		case "DIR":
			d.lookup(k, v, "direction", msDIR)
		case "H":
			d.add(k, v, "HELO/EHLO name of the connecting server", true)
		case "IPV":
			d.lookup(k, v, "IP reputation", msIPV)
		case "LANG":
			d.add(k, v, "language of the message", true)
		case "PTR":
			if strings.EqualFold(v, "InfoNoRecords") {
				d.add(k, v, "reverse DNS (PTR) name of the connecting IP address: none was found", true)
			} else {
				d.add(k, v, "reverse DNS (PTR) name of the connecting IP address", true)
			}
		case "SCL":
			m, vd, ok := SCLMeaning(v)
			if ok {
				d.add(k, v, "spam confidence level: "+m, true)
				if d.Verdict == "" {
					d.Verdict = vd
				}
			} else {
				d.add(k, v, "spam confidence level: value not assigned by Microsoft 365", false)
			}
			sum = append(sum, "SCL "+v)
		case "PCL":
			if m, ok := PCLMeaning(v); ok {
				d.add(k, v, "phishing confidence level: "+m, true)
			} else {
				d.add(k, v, "phishing confidence level: value not documented", false)
			}
		case "SFS":
			d.add(k, v, "spam filter rules that matched; Microsoft does not publish their meaning", false)
		case "SFTY":
			d.lookup(k, v, "identified as phishing", msSFTY)
			d.Verdict = "phish"
			sum = append(sum, "safety "+v)
		case "SFV":
			d.lookup(k, v, "spam filtering verdict", msSFV)
			switch strings.ToUpper(v) {
			case "SPM", "SKS", "SKB", "BLK":
				d.Verdict = "spam"
			case "NSPM", "SKN", "SKA", "SFE", "SKQ", "SKI":
				if d.Verdict == "" {
					d.Verdict = "not-spam"
				}
			}
			if m, ok := msSFV.get(strings.ToUpper(v)); ok {
				sum = append(sum, m)
			} else {
				sum = append(sum, "SFV "+v)
			}
		case "SRV":
			if v == "" {
				d.add(k, v, "service: empty", true)
			} else {
				d.lookup(k, v, "service", msSRV)
			}
			if strings.EqualFold(v, "BULK") {
				d.Verdict = "bulk"
			}
		default:
			d.add(k, v, "not documented by Microsoft", false)
		}
	}
	d.Summary = "Microsoft 365 anti-spam report"
	if len(sum) > 0 {
		d.Summary += ": " + strings.Join(sum, "; ")
	}
}

// decodeMicrosoftAntispam decodes X-Microsoft-Antispam (BCL, PCL, ...).
func decodeMicrosoftAntispam(d *Decoded) {
	var sum []string
	for _, p := range msPairs(d.Raw) {
		k, v := p[0], p[1]
		switch strings.ToUpper(k) {
		case "BCL":
			if m, ok := BCLMeaning(v); ok {
				d.add(k, v, "bulk complaint level: "+m, true)
				if n, _ := strconv.Atoi(v); n >= 4 {
					d.Verdict = "bulk"
				}
			} else {
				d.add(k, v, "bulk complaint level: value outside 0-9", false)
			}
			sum = append(sum, "BCL "+v)
		case "PCL":
			if m, ok := PCLMeaning(v); ok {
				d.add(k, v, "phishing confidence level: "+m, true)
			} else {
				d.add(k, v, "phishing confidence level: value not documented", false)
			}
			sum = append(sum, "PCL "+v)
		default:
			d.add(k, v, "not documented by Microsoft", false)
		}
	}
	d.Summary = "Microsoft 365 anti-spam"
	if len(sum) > 0 {
		d.Summary += ": " + strings.Join(sum, ", ")
	}
}

func decodeSCLHeader(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	if m, vd, ok := SCLMeaning(v); ok {
		d.add("SCL", v, "spam confidence level: "+m, true)
		d.Verdict = vd
		d.Summary = fmt.Sprintf("Microsoft 365 SCL %s: %s", v, m)
		return
	}
	d.add("SCL", v, "spam confidence level: value not assigned by Microsoft 365", false)
	d.Summary = "Microsoft 365 SCL " + v
}

func decodeAuthAs(d *Decoded) {
	v := strings.TrimSpace(d.Raw)
	d.lookup("AuthAs", v, "how the sender authenticated", msAuthAs)
	d.Summary = "Microsoft 365 sender authentication: " + v
}
