package recorded

import "strings"

// compauthExact are Microsoft 365 composite authentication reason codes
// documented individually ("Anti-spam message headers in Microsoft 365",
// Authentication-results message header fields, compauth reason).
var compauthExact = map[string]string{
	"000": "failed explicit authentication: the sender's domain publishes DMARC with p=quarantine or p=reject and the message failed it",
	"001": "failed implicit authentication: the sender's domain publishes no authentication records, or only weak ones (SPF ~all or ?all, DMARC p=none)",
	"002": "the receiving organisation has a policy that forbids this sender/domain pair from sending spoofed mail (set by an admin)",
	"010": "failed DMARC with p=quarantine or p=reject, and the sending domain is one of the receiving organisation's accepted domains (self-to-self or intra-org spoofing)",
}

// compauthClass are the documented meanings of reason code hundreds;
// Microsoft says the last two digits are internal.
var compauthClass = map[byte]string{
	'1': "passed composite authentication (last two digits are internal to Microsoft)",
	'7': "passed composite authentication (last two digits are internal to Microsoft)",
	'2': "soft-passed implicit authentication (last two digits are internal to Microsoft)",
	'3': "not checked for composite authentication",
	'4': "bypassed composite authentication (last two digits are internal to Microsoft)",
	'9': "bypassed composite authentication (last two digits are internal to Microsoft)",
	'6': "failed implicit authentication, and the sending domain is one of the receiving organisation's accepted domains (self-to-self or intra-org spoofing)",
}

// CompauthReasonMeaning explains a Microsoft 365 compauth reason= code.
// ok is false for codes Microsoft does not document.
func CompauthReasonMeaning(code string) (meaning string, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 3 {
		return "", false
	}
	for i := 0; i < 3; i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	if m, ok := compauthExact[code]; ok {
		return m, true
	}
	if code[0] == '0' {
		return "", false
	}
	m, ok := compauthClass[code[0]]
	return m, ok
}

// reasonMeaning explains reason codes of methods that document them.
func reasonMeaning(method, reason string) string {
	if method != "compauth" || reason == "" {
		return ""
	}
	if m, ok := CompauthReasonMeaning(reason); ok {
		return m
	}
	return "reason code not documented by Microsoft"
}
