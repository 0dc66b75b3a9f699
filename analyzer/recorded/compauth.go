package recorded

import "strings"

// compauthExact returns the meaning of a Microsoft 365 composite
// authentication reason code that is documented on its own ("Anti-spam
// message headers in Microsoft 365", Authentication-results message header
// fields, compauth reason). The code tables are switches, not maps: a map
// literal is code that runs when the program starts, in the page's
// WebAssembly module too.
func compauthExact(code string) (string, bool) {
	switch code {
	case "000":
		return "failed explicit authentication: the sender's domain publishes DMARC with p=quarantine or p=reject and the message failed it", true
	case "001":
		return "failed implicit authentication: the sender's domain publishes no authentication records, or only weak ones (SPF ~all or ?all, DMARC p=none)", true
	case "002":
		return "the receiving organisation has a policy that forbids this sender/domain pair from sending spoofed mail (set by an admin)", true
	case "010":
		return "failed DMARC with p=quarantine or p=reject, and the sending domain is one of the receiving organisation's accepted domains (self-to-self or intra-org spoofing)", true
	}
	return "", false
}

// compauthClass returns the documented meaning of a reason code's hundreds
// digit; Microsoft says the last two digits are internal.
func compauthClass(hundreds byte) (string, bool) {
	switch hundreds {
	case '1', '7':
		return "passed composite authentication (last two digits are internal to Microsoft)", true
	case '2':
		return "soft-passed implicit authentication (last two digits are internal to Microsoft)", true
	case '3':
		return "not checked for composite authentication", true
	case '4', '9':
		return "bypassed composite authentication (last two digits are internal to Microsoft)", true
	case '6':
		return "failed implicit authentication, and the sending domain is one of the receiving organisation's accepted domains (self-to-self or intra-org spoofing)", true
	}
	return "", false
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
	if m, ok := compauthExact(code); ok {
		return m, true
	}
	if code[0] == '0' {
		return "", false
	}
	return compauthClass(code[0])
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
