package vendor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"headerlens/analyzer/message"
	"headerlens/internal/golden"
)

// want describes one expected field: Key, Value and Known; meaning is a
// substring the Meaning must contain ("" = not checked).
type want struct {
	key, value string
	known      bool
	meaning    string
}

func TestDecodeField(t *testing.T) {
	tests := []struct {
		name, header, value string
		vendor, verdict     string
		summary             string // substring
		opaque              bool
		fields              []want // checked in order, as a subsequence
	}{
		{
			name:    "Forefront report from a real Exchange message (m0013)",
			header:  "x-forefront-antispam-report",
			value:   "SFV:NSPM;SFS:(10009001)(979002)(6009001);DIR:OUT;SFP:1101;SCL:1;SRVR:DB3PR05MB329;H:DB3PR05MB172.eurprd05.prod.outlook.com;FPR:B3C3D72F.BCC79F5A;MLV:ovrnspm;PTR:InfoNoRecords;MX:1;A:0;LANG:fr;",
			vendor:  vendorMicrosoft,
			verdict: "not-spam",
			summary: "not spam; SCL 1",
			fields: []want{
				{"SFV", "NSPM", true, "not spam"},
				{"SFS", "(10009001)(979002)(6009001)", false, ""},
				{"DIR", "OUT", true, "outbound"},
				{"SFP", "1101", false, "not documented"},
				{"SCL", "1", true, "clean"},
				{"PTR", "InfoNoRecords", true, "none was found"},
				{"LANG", "fr", true, ""},
			},
		},
		{
			name:    "Forefront phishing with impersonation, IPv6 CIP",
			header:  "X-Forefront-Antispam-Report",
			value:   "CIP:2001:db8::25;CTRY:NL;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:mail.example.net;PTR:mail.example.net;CAT:HPHISH;SFTY:9.20;SFS:(13230031)(4636009);DIR:INB;",
			vendor:  vendorMicrosoft,
			verdict: "phish",
			summary: "from 2001:db8::25",
			fields: []want{
				{"CIP", "2001:db8::25", true, "connecting IP"},
				{"SCL", "9", true, "high confidence spam"},
				{"SRV", "", true, ""},
				{"IPV", "NLI", true, "not listed"},
				{"SFV", "SPM", true, "marked the message as spam"},
				{"CAT", "HPHISH", true, "high confidence phishing"},
				{"SFTY", "9.20", true, "user impersonation"},
				{"DIR", "INB", true, "inbound"},
			},
		},
		{
			name:    "Forefront unknown codes kept",
			header:  "X-Forefront-Antispam-Report",
			value:   "SFV:XYZ;CAT:NEWCAT;SFTY:9.22;SCL:3;IPV:CAL;SRV:BULK",
			vendor:  vendorMicrosoft,
			verdict: "bulk",
			fields: []want{
				{"SFV", "XYZ", false, "not documented"},
				{"CAT", "NEWCAT", false, "not documented"},
				{"SFTY", "9.22", false, "not documented"},
				{"SCL", "3", false, "not assigned"},
				{"IPV", "CAL", true, "IP Allow List"},
				{"SRV", "BULK", true, "bulk"},
			},
		},
		{
			name:    "X-Original- copy of the report",
			header:  "X-Original-Forefront-Antispam-Report",
			value:   "CIP:192.0.2.1;SFV:SKN;",
			vendor:  vendorMicrosoft,
			verdict: "not-spam",
			fields:  []want{{"CIP", "192.0.2.1", true, ""}, {"SFV", "SKN", true, "mail flow rule"}},
		},
		{
			name:    "X-Microsoft-Antispam BCL and PCL",
			header:  "X-Microsoft-Antispam",
			value:   "BCL:7;PCL:0;ARA:13230031|366016;",
			vendor:  vendorMicrosoft,
			verdict: "bulk",
			summary: "BCL 7, PCL 0",
			fields: []want{
				{"BCL", "7", true, "mixed number of complaints"},
				{"PCL", "0", true, "not likely"},
				{"ARA", "13230031|366016", false, ""},
			},
		},
		{
			name:   "X-Microsoft-Antispam BCL out of range",
			header: "X-Microsoft-Antispam",
			value:  "BCL:12",
			vendor: vendorMicrosoft,
			fields: []want{{"BCL", "12", false, "outside"}},
		},
		{
			name: "Exchange SCL -1", header: "X-MS-Exchange-Organization-SCL", value: "-1",
			vendor: vendorMicrosoft, verdict: "allowed", summary: "SCL -1",
			fields: []want{{"SCL", "-1", true, "skipped"}},
		},
		{
			name: "Exchange SCL 2 is not assigned", header: "X-MS-Exchange-Organization-SCL", value: "2",
			vendor: vendorMicrosoft, fields: []want{{"SCL", "2", false, ""}},
		},
		{
			name: "Exchange AuthAs from a real message", header: "X-MS-Exchange-Organization-AuthAs", value: "Anonymous",
			vendor: vendorMicrosoft, fields: []want{{"AuthAs", "Anonymous", true, "not authenticated"}},
		},
		{
			name: "CrossTenant AuthAs Internal", header: "X-MS-Exchange-CrossTenant-AuthAs", value: "Internal",
			vendor: vendorMicrosoft, fields: []want{{"AuthAs", "Internal", true, "member of the organization"}},
		},
		{
			name: "AuthAs unknown value", header: "X-MS-Exchange-Organization-AuthAs", value: "Robot",
			vendor: vendorMicrosoft, fields: []want{{"AuthAs", "Robot", false, ""}},
		},
		{
			name: "AuthSource", header: "X-MS-Exchange-Organization-AuthSource", value: "APCNHUB11.correo.local",
			vendor: vendorMicrosoft, fields: []want{{"AuthSource", "APCNHUB11.correo.local", true, "authenticated"}},
		},
		{
			name: "CrossTenant FromEntityHeader", header: "X-MS-Exchange-CrossTenant-FromEntityHeader", value: "Hosted",
			vendor: vendorMicrosoft, fields: []want{{"FromEntityHeader", "Hosted", true, "mailbox in the tenant"}},
		},
		{
			name: "CrossTenant Id and arrival time", header: "X-MS-Exchange-CrossTenant-OriginalArrivalTime", value: "01 Mar 2024 10:00:00.0000 (UTC)",
			vendor: vendorMicrosoft, fields: []want{{"OriginalArrivalTime", "01 Mar 2024 10:00:00.0000 (UTC)", true, "arrived"}},
		},
		{
			name: "Network message id", header: "X-MS-Exchange-CrossTenant-Network-Message-Id", value: "6c0d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b",
			vendor: vendorMicrosoft, fields: []want{{"NetworkMessageId", "6c0d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b", true, "message trace"}},
		},
		{
			name: "undecoded Microsoft field kept", header: "X-MS-Has-Attach", value: "yes",
			vendor: vendorMicrosoft, opaque: true, summary: "not decoded",
			fields: []want{{"X-MS-Has-Attach", "yes", false, ""}},
		},
		{
			name:    "SpamAssassin status, folded, from a real message",
			header:  "X-Spam-Status",
			value:   "No, score=0.4 required=5.0 tests=ANY_BOUNCE_MESSAGE,AWL,\r\n\tBAYES_00,BOUNCE_MESSAGE,HTML_MESSAGE,RAZOR2_CF_RANGE_51_100,\r\n\tRAZOR2_CHECK autolearn=no\r\n\tversion=3.2.4",
			vendor:  vendorSpamAssassin,
			verdict: "not-spam",
			summary: "not spam, score 0.4 of 5.0 required",
			fields: []want{
				{"verdict", "No", true, ""},
				{"score", "0.4", true, ""},
				{"required", "5.0", true, ""},
				{"tests", "ANY_BOUNCE_MESSAGE,AWL,BAYES_00,BOUNCE_MESSAGE,HTML_MESSAGE,RAZOR2_CF_RANGE_51_100,RAZOR2_CHECK", true, ""},
				{"ANY_BOUNCE_MESSAGE", "", false, "not known"},
				{"AWL", "", true, "welcomelist"},
				{"BAYES_00", "", true, "0 to 1%"},
				{"autolearn", "no", true, ""},
				{"version", "3.2.4", true, ""},
			},
		},
		{
			name: "SpamAssassin old hits= form", header: "X-Spam-Status", value: "Yes, hits=12.5 required=5 tests=none",
			vendor: vendorSpamAssassin, verdict: "spam", summary: "spam, score 12.5",
			fields: []want{{"verdict", "Yes", true, ""}, {"hits", "12.5", true, ""}},
		},
		{
			name: "SpamAssassin odd key", header: "X-Spam-Status", value: "No, score=1 frobnicate=3",
			vendor: vendorSpamAssassin, verdict: "not-spam", fields: []want{{"frobnicate", "3", false, ""}},
		},
		{
			name: "X-Spam-Flag", header: "X-Spam-Flag", value: "YES",
			vendor: vendorSpamAssassin, verdict: "spam", fields: []want{{"flag", "YES", true, ""}},
		},
		{
			name: "X-Spam-Level stars", header: "X-Spam-Level", value: "*******",
			vendor: vendorSpamAssassin, summary: "7 points", fields: []want{{"level", "*******", true, "at least 7"}},
		},
		{
			name: "X-Spam-Level empty", header: "X-Spam-Level", value: "",
			vendor: vendorSpamAssassin, fields: []want{{"level", "", true, "below 1"}},
		},
		{
			name: "X-Spam-Level mixed", header: "X-Spam-Level", value: "**x",
			vendor: vendorSpamAssassin, fields: []want{{"level", "**x", false, ""}},
		},
		{
			name: "X-Spam-Score", header: "X-Spam-Score", value: "-2.9",
			vendor: vendorSpamFilter, fields: []want{{"score", "-2.9", true, ""}},
		},
		{
			name:    "X-Spam-Report table",
			header:  "X-Spam-Report",
			value:   "\r\n\t*  3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100%\r\n\t*      [score: 1.0000]\r\n\t*  0.0 HTML_MESSAGE BODY: HTML included in message",
			vendor:  vendorSpamAssassin,
			summary: "2 rules",
			fields: []want{
				{"BAYES_99", "3.5", true, "Bayes spam probability is 99 to 100%"},
				{"text", "* [score: 1.0000]", true, ""},
				{"HTML_MESSAGE", "0.0", true, "HTML included"},
			},
		},
		{
			name:    "X-Spam-Report unfolded",
			header:  "X-Spam-Report",
			value:   "Content analysis details: (7.1 points, 5.0 required) pts rule name description ---- ---------------------- -------------------------------------------------- 2.0 FORGED_HOTMAIL_RCVD Received headers claim Hotmail 0.0 HTML_MESSAGE BODY: HTML included in message",
			vendor:  vendorSpamAssassin,
			summary: "2 rules",
			fields: []want{
				{"FORGED_HOTMAIL_RCVD", "2.0", true, "claim Hotmail"},
				{"HTML_MESSAGE", "0.0", true, ""},
			},
		},
		{
			name:    "rspamd result",
			header:  "X-Spamd-Result",
			value:   "default: False [-0.10 / 15.00];\r\n\tR_SPF_ALLOW(-0.20)[+ip4:192.0.2.0/24];\r\n\tDMARC_POLICY_ALLOW(-0.50)[example.com,reject];\r\n\tMIME_GOOD(-0.10)[text/plain];\r\n\tLOCAL_RULE_X(0.70)[a;b];\r\n\tASN(0.00)[asn:64496, ipnet:192.0.2.0/24, country:NL]",
			vendor:  vendorRspamd,
			verdict: "not-spam",
			summary: "not spam, score -0.10 of 15.00, 5 symbols",
			fields: []want{
				{"metric", "default", true, ""},
				{"spam", "False", true, "below"},
				{"score", "-0.10", true, ""},
				{"required", "15.00", true, ""},
				{"R_SPF_ALLOW", "-0.20 [+ip4:192.0.2.0/24]", true, "SPF verification allows"},
				{"DMARC_POLICY_ALLOW", "-0.50 [example.com,reject]", true, "DMARC permit"},
				{"MIME_GOOD", "-0.10 [text/plain]", true, ""},
				{"LOCAL_RULE_X", "0.70 [a;b]", false, "not known"},
				{"ASN", "0.00 [asn:64496, ipnet:192.0.2.0/24, country:NL]", true, ""},
			},
		},
		{
			name: "rspamd result spam", header: "X-Spamd-Result", value: "default: True [16.20 / 15.00]; BAYES_SPAM(5.10)[99.99%]",
			vendor: vendorRspamd, verdict: "spam", summary: "spam, score 16.20 of 15.00",
			fields: []want{{"spam", "True", true, ""}, {"BAYES_SPAM", "5.10 [99.99%]", true, ""}},
		},
		{
			name: "rspamd action", header: "X-Rspamd-Action", value: "add header",
			vendor: vendorRspamd, verdict: "spam", fields: []want{{"action", "add header", true, "spam header"}},
		},
		{
			name: "rspamd unknown action", header: "X-Rspamd-Action", value: "custom thing",
			vendor: vendorRspamd, fields: []want{{"action", "custom thing", false, ""}},
		},
		{
			name: "rspamd score", header: "X-Rspamd-Score", value: "3.45",
			vendor: vendorRspamd, fields: []want{{"score", "3.45", true, ""}},
		},
		{
			name: "rspamd server", header: "X-Rspamd-Server", value: "rspam01",
			vendor: vendorRspamd, fields: []want{{"server", "rspam01", true, ""}},
		},
		{
			name: "rspamd bar plus", header: "X-Spamd-Bar", value: "+++",
			vendor: vendorRspamd, fields: []want{{"bar", "+++", true, "+3"}},
		},
		{
			name: "rspamd bar neutral", header: "X-Spamd-Bar", value: "/",
			vendor: vendorRspamd, fields: []want{{"bar", "/", true, "zero"}},
		},
		{
			name: "rspamd bar garbage", header: "X-Spamd-Bar", value: "+-",
			vendor: vendorRspamd, fields: []want{{"bar", "+-", false, ""}},
		},
		{
			name:    "Google X-Received trace from a real message",
			header:  "X-Received",
			value:   "by 10.60.115.227 with SMTP id jr3mr13541195oeb.33.1416386761676;\r\n Wed, 19 Nov 2014 00:46:01 -0800 (PST)",
			vendor:  vendorGoogle,
			summary: "by 10.60.115.227",
			fields:  []want{{"trace", "by 10.60.115.227 with SMTP id jr3mr13541195oeb.33.1416386761676; Wed, 19 Nov 2014 00:46:01 -0800 (PST)", true, "Received"}},
		},
		{
			name: "Google message state is opaque", header: "X-Gm-Message-State", value: "AOJu0YwQk1tZ",
			vendor: vendorGoogle, opaque: true, fields: []want{{"X-Gm-Message-State", "AOJu0YwQk1tZ", false, "not publicly documented"}},
		},
		{
			name: "Google SMTP source", header: "X-Google-Smtp-Source", value: "AGHT+IH1a2b3",
			vendor: vendorGoogle, opaque: true, fields: []want{{"X-Google-Smtp-Source", "AGHT+IH1a2b3", false, ""}},
		},
		{
			name: "Google DKIM presence", header: "X-Google-DKIM-Signature", value: "v=1; a=rsa-sha256; d=1e100.net; s=20230601; b=abc",
			vendor: vendorGoogle, opaque: true, fields: []want{{"present", "yes", true, ""}},
		},
		{
			name: "Gmail features opaque", header: "X-Gm-Features", value: "AQt7F2q",
			vendor: vendorGoogle, opaque: true, fields: []want{{"X-Gm-Features", "AQt7F2q", false, ""}},
		},
		{
			name:    "Proofpoint details from a real message",
			header:  "X-Proofpoint-Spam-Details",
			value:   "rule=outbound_notspam policy=outbound score=0 spamscore=0 suspectscore=0\r\n malwarescore=0 phishscore=0 adultscore=0 bulkscore=0 classifier=spam\r\n adjust=0 reason=mlx scancount=1 engine=8.0.1-1702020001\r\n definitions=main-1703080133",
			vendor:  vendorProofpoint,
			verdict: "not-spam",
			summary: "rule outbound_notspam",
			fields: []want{
				{"rule", "outbound_notspam", true, ""},
				{"policy", "outbound", true, ""},
				{"spamscore", "0", true, "0 (clean) to 100"},
				{"phishscore", "0", true, ""},
				{"classifier", "spam", true, ""},
				{"reason", "mlx", true, ""},
				{"engine", "8.0.1-1702020001", true, ""},
				{"definitions", "main-1703080133", true, ""},
			},
		},
		{
			name: "Proofpoint spam with unknown key", header: "X-Proofpoint-Spam-Details", value: "rule=spam policy=default score=98 spamscore=98 newscore=4",
			vendor: vendorProofpoint, verdict: "spam", summary: "spamscore 98",
			fields: []want{{"spamscore", "98", true, ""}, {"newscore", "4", false, ""}},
		},
		{
			name: "Proofpoint virus version from a real message", header: "X-Proofpoint-Virus-Version", value: "vendor=fsecure engine=2.50.10432:,, definitions=2017-03-08_12:,,\r\n signatures=0",
			vendor: vendorProofpoint,
			fields: []want{{"vendor", "fsecure", true, ""}, {"engine", "2.50.10432:", true, ""}, {"definitions", "2017-03-08_12:", true, ""}, {"signatures", "0", true, ""}},
		},
		{
			name: "Proofpoint GUID", header: "X-Proofpoint-GUID", value: "Xy12AbCdEf_GhIjKlMn",
			vendor: vendorProofpoint, fields: []want{{"guid", "Xy12AbCdEf_GhIjKlMn", true, ""}},
		},
		{
			name: "Mimecast spam score", header: "X-Mimecast-Spam-Score", value: "2",
			vendor: vendorMimecast, fields: []want{{"score", "2", true, "higher"}},
		},
		{
			name:    "Mimecast impersonation protect",
			header:  "X-Mimecast-Impersonation-Protect",
			value:   "Policy=CLT - Impersonation Protection Definition;Similar Internal Domain=false;Similar Monitored External Domain=false;Custom External Domain=false;Mimecast External Domain=false;Newly Observed Domain=true;Internal User Name=true;Custom Display Name List=false;Reply-to Address Mismatch=false;Targeted Threat Dictionary=false;Mimecast Threat Dictionary=false;Custom Threat Dictionary=false;Shiny New Check=false",
			vendor:  vendorMimecast,
			verdict: "phish",
			summary: "Newly Observed Domain, Internal User Name",
			fields: []want{
				{"Policy", "CLT - Impersonation Protection Definition", true, ""},
				{"Newly Observed Domain", "true", true, "recently"},
				{"Internal User Name", "true", true, ""},
				{"Shiny New Check", "false", false, ""},
			},
		},
		{
			name: "Mimecast MFC-AGG-ID", header: "X-Mimecast-MFC-AGG-ID", value: "mimecast",
			vendor: vendorMimecast, fields: []want{{"id", "mimecast", true, ""}},
		},
		{
			name:    "Barracuda status",
			header:  "X-Barracuda-Spam-Status",
			value:   "No, SCORE=0.50 using global scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=6.0 tests=HTML_MESSAGE, BSF_SC0_MISMATCH_TO",
			vendor:  vendorBarracuda,
			verdict: "not-spam",
			summary: "not spam, score 0.50",
			fields: []want{
				{"verdict", "No", true, ""},
				{"SCORE", "0.50", true, ""},
				{"TAG_LEVEL", "3.5", true, "tagged"},
				{"QUARANTINE_LEVEL", "1000.0", true, ""},
				{"KILL_LEVEL", "6.0", true, "blocked"},
				{"tests", "HTML_MESSAGE,BSF_SC0_MISMATCH_TO", true, ""},
				{"HTML_MESSAGE", "", true, ""},
				{"BSF_SC0_MISMATCH_TO", "", false, ""},
			},
		},
		{
			name:    "Barracuda report",
			header:  "X-Barracuda-Spam-Report",
			value:   "Code version 3.2, rules version 3.2.3.99\r\n\tRule breakdown below\r\n\t pts rule name              description\r\n\t---- ---------------------- --------------------------------------------------\r\n\t0.00 HTML_MESSAGE           BODY: HTML included in message\r\n\t0.50 BSF_SC0_MISMATCH_TO    Envelope rcpt doesn't match header",
			vendor:  vendorBarracuda,
			summary: "2 rules",
			fields: []want{
				{"text", "Code version 3.2, rules version 3.2.3.99", true, ""},
				{"HTML_MESSAGE", "0.00", true, ""},
				{"BSF_SC0_MISMATCH_TO", "0.50", true, "Envelope rcpt"},
			},
		},
		{
			name: "Barracuda score", header: "X-Barracuda-Spam-Score", value: "0.50",
			vendor: vendorBarracuda, fields: []want{{"score", "0.50", true, ""}},
		},
		{
			name: "Barracuda envelope from", header: "X-Barracuda-Envelope-From", value: "bounce@example.com",
			vendor: vendorBarracuda, fields: []want{{"envelope-from", "bounce@example.com", true, "MAIL FROM"}},
		},
		{
			name: "ASG debug id", header: "X-ASG-Debug-ID", value: "1481213460-0f0b5e1c4b1e9a0001-3tvZHa",
			vendor: vendorBarracuda, fields: []want{{"id", "1481213460-0f0b5e1c4b1e9a0001-3tvZHa", true, "log ID"}},
		},
		{
			name: "Barracuda start time not a number", header: "X-Barracuda-Start-Time", value: "soon",
			vendor: vendorBarracuda, fields: []want{{"start-time", "soon", false, ""}},
		},
		{
			name:   "IronPort AV from a real message",
			header: "X-IronPort-AV",
			value:  "E=Sophos;i=\"5.95,173,1661835600\";\r\n   d=\"html'217?zip'217,48?scan'217,48,208,48,217\";a=\"1030153556\"",
			vendor: vendorIronPort,
			fields: []want{
				{"E", "Sophos", true, "engine vendor"},
				{"i", "5.95,173,1661835600", true, ""},
				{"d", "html'217?zip'217,48?scan'217,48,208,48,217", false, ""},
				{"a", "1030153556", false, ""},
			},
		},
		{
			name: "IronPort anti-spam filtered", header: "X-IronPort-Anti-Spam-Filtered", value: "true",
			vendor: vendorIronPort, fields: []want{{"filtered", "true", true, "scanned"}},
		},
		{
			name: "IPAS result is opaque", header: "X-IPAS-Result", value: "=?us-ascii?q?A0C0kgB4e0RjYQqF5JhaGgEBAQEBKwEBAQEDAQEBAQEBA?=",
			vendor: vendorIronPort, opaque: true, fields: []want{{"X-IPAS-Result", "=?us-ascii?q?A0C0kgB4e0RjYQqF5JhaGgEBAQEBKwEBAQEDAQEBAQEBA?=", false, ""}},
		},
		{
			name: "SBRS negative", header: "X-SBRS", value: "-4.2",
			vendor: vendorIronPort, fields: []want{{"score", "-4.2", true, "poor"}},
		},
		{
			name: "SBRS none", header: "X-SBRS", value: "None",
			vendor: vendorIronPort, fields: []want{{"score", "None", true, "no reputation data"}},
		},
		{
			name: "SBRS out of range", header: "X-SBRS", value: "42",
			vendor: vendorIronPort, fields: []want{{"score", "42", false, ""}},
		},
		{
			name: "Yahoo OSG opaque", header: "X-YMail-OSG", value: "M3VWGGoVM1mRrN0VVqOo_OuQD_g7jcvHWnqh\r\n FuKqBNQHUzr8v6",
			vendor: vendorYahoo, opaque: true, fields: []want{{"X-YMail-OSG", "M3VWGGoVM1mRrN0VVqOo_OuQD_g7jcvHWnqh FuKqBNQHUzr8v6", false, ""}},
		},
		{
			name: "Yahoo Newman property", header: "X-Yahoo-Newman-Property", value: "ymail-3",
			vendor: vendorYahoo, fields: []want{{"property", "ymail-3", true, ""}},
		},
		{
			name: "Yahoo Apparently-To", header: "X-Apparently-To", value: "someone@yahoo.com via 192.0.2.44; Thu, 03 Dec 2009 10:50:22 -0800",
			vendor: vendorYahoo, summary: "via 192.0.2.44",
			fields: []want{{"recipient", "someone@yahoo.com", true, ""}, {"via", "192.0.2.44", true, ""}, {"date", "Thu, 03 Dec 2009 10:50:22 -0800", true, ""}},
		},
		{
			name: "Yahoo filtered bulk", header: "X-YahooFilteredBulk", value: "198.51.100.3",
			vendor: vendorYahoo, verdict: "bulk", fields: []want{{"ip", "198.51.100.3", true, "bulk"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := DecodeField(tt.header, tt.value)
			if !ok {
				t.Fatalf("got ok=false, want a decoded %s field", tt.vendor)
			}
			if d.Vendor != tt.vendor {
				t.Errorf("got vendor %q, want %q", d.Vendor, tt.vendor)
			}
			if d.Raw != tt.value || d.Header != tt.header {
				t.Errorf("got header %q raw %q, want %q %q", d.Header, d.Raw, tt.header, tt.value)
			}
			if d.Verdict != tt.verdict {
				t.Errorf("got verdict %q, want %q", d.Verdict, tt.verdict)
			}
			if d.Opaque != tt.opaque {
				t.Errorf("got opaque %v, want %v", d.Opaque, tt.opaque)
			}
			if !strings.Contains(d.Summary, tt.summary) {
				t.Errorf("got summary %q, want it to contain %q", d.Summary, tt.summary)
			}
			i := 0
			for _, w := range tt.fields {
				found := false
				for ; i < len(d.Fields); i++ {
					f := d.Fields[i]
					if f.Key == w.key && f.Value == w.value {
						found = true
						if f.Known != w.known {
							t.Errorf("field %s=%q: got known %v, want %v (meaning %q)", f.Key, f.Value, f.Known, w.known, f.Meaning)
						}
						if !strings.Contains(f.Meaning, w.meaning) {
							t.Errorf("field %s=%q: got meaning %q, want it to contain %q", f.Key, f.Value, f.Meaning, w.meaning)
						}
						i++
						break
					}
				}
				if !found {
					t.Errorf("got no field %s=%q in order; fields %+v", w.key, w.value, d.Fields)
					break
				}
			}
		})
	}
}

func TestDecodeFieldNotVendor(t *testing.T) {
	for _, name := range []string{"Subject", "Received", "X-Mailer", "X-Original-To", "Authentication-Results", ""} {
		if d, ok := DecodeField(name, "x"); ok {
			t.Errorf("DecodeField(%q): got %+v, want ok=false", name, d)
		}
	}
}

func TestMeaningTables(t *testing.T) {
	for _, tt := range []struct {
		v       string
		scl     string
		verdict string
		bcl     string
		pcl     string
	}{
		{"-1", "skipped", "allowed", "", ""},
		{"0", "clean", "not-spam", "not from a bulk sender", "not likely"},
		{"3", "", "", "few complaints", "not likely"},
		{"5", "spam", "spam", "mixed", "likely to be phishing"},
		{"8", "high confidence", "spam", "high number", "likely to be phishing"},
		{"9", "high confidence", "spam", "high number", ""},
		{"x", "", "", "", ""},
	} {
		m, vd, ok := SCLMeaning(tt.v)
		if ok != (tt.scl != "") || !strings.Contains(m, tt.scl) || vd != tt.verdict {
			t.Errorf("SCLMeaning(%q): got %q %q %v, want %q %q", tt.v, m, vd, ok, tt.scl, tt.verdict)
		}
		b, ok := BCLMeaning(tt.v)
		if ok != (tt.bcl != "") || !strings.Contains(b, tt.bcl) {
			t.Errorf("BCLMeaning(%q): got %q %v, want %q", tt.v, b, ok, tt.bcl)
		}
		p, ok := PCLMeaning(tt.v)
		if ok != (tt.pcl != "") || !strings.Contains(p, tt.pcl) {
			t.Errorf("PCLMeaning(%q): got %q %v, want %q", tt.v, p, ok, tt.pcl)
		}
	}
}

// TestDecodeMessages decodes the NN-name.eml header blocks in
// testdata/vendor and compares the result with NN-name.want.json.
func TestDecodeMessages(t *testing.T) {
	files, err := filepath.Glob("../../testdata/vendor/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := message.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, strings.TrimSuffix(f, ".eml")+".want.json", first(Decode(m.Fields)))
		})
	}
}

func FuzzDecodeField(f *testing.F) {
	names := []string{}
	for n := range decoders() {
		names = append(names, n)
	}
	seeds := []string{
		"SFV:NSPM;SCL:1;CIP:2001:db8::1;CAT:PHSH",
		"Yes, score=7.1 required=3.0 tests=A,B autolearn=no",
		"default: False [1.20 / 15.00]; SYM(1.0)[a,b]; X((",
		`E=Sophos;i="5.95`,
		"rule=notspam spamscore=0",
		"Policy=x;Newly Observed Domain=true",
		"* 3.5 BAYES_99 x\n 0.1 A_B c",
		"",
	}
	for i, s := range seeds {
		f.Add(names[i%len(names)], s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		for _, n := range append([]string{name}, "X-Forefront-Antispam-Report", "X-Spam-Status", "X-Spamd-Result", "X-Barracuda-Spam-Status", "X-Spam-Report", "X-Mimecast-Impersonation-Protect", "X-Proofpoint-Spam-Details", "X-IronPort-AV", "X-Apparently-To") {
			d, ok := DecodeField(n, value)
			if !ok {
				continue
			}
			if d.Raw != value {
				t.Fatalf("%s: raw value changed", n)
			}
			if d.Fields == nil || len(d.Fields) > maxFields {
				t.Fatalf("%s: got %d fields (nil %v)", n, len(d.Fields), d.Fields == nil)
			}
			if d.Vendor == "" || d.Summary == "" {
				t.Fatalf("%s: got empty vendor or summary: %+v", n, d)
			}
		}
	})
}

func first(d []Decoded, _ int) []Decoded { return d }

func TestDecodeLimits(t *testing.T) {
	var fields []message.Field
	for range MaxDecoded + 10 {
		fields = append(fields, message.Field{Name: "X-Spam-Status", Value: "Yes, score=5.0 required=5.0 tests=" + strings.Repeat("RULE_A,", 100) + " autolearn=no"})
	}
	got, skipped := Decode(fields)
	parts := 0
	for _, d := range got {
		parts += len(d.Fields)
		if len(d.Raw) > maxRawLen+len("…") {
			t.Errorf("raw of %d bytes, want at most %d", len(d.Raw), maxRawLen)
		}
	}
	if len(got) > MaxDecoded || parts > MaxMessageFields {
		t.Errorf("decoded %d fields with %d parts, want at most %d and %d", len(got), parts, MaxDecoded, MaxMessageFields)
	}
	if skipped == 0 || skipped+len(got) != len(fields) {
		t.Errorf("skipped = %d with %d decoded, want the %d fields accounted for", skipped, len(got), len(fields))
	}
}

// TestMeaningsTables: no table gives a code twice (a map literal refused
// that at compile time; the slices of pairs need this test), and every
// code is in the case its lookup uses: lower case for Proofpoint's keys,
// upper case elsewhere.
func TestMeaningsTables(t *testing.T) {
	tables := []struct {
		name  string
		table meanings
		lower bool
	}{
		{"proofpointKeys", proofpointKeys, true},
		{"mimecastImpersonation", mimecastImpersonation, false},
		{"msSFV", msSFV, false},
		{"msCAT", msCAT, false},
		{"msCATVerdict", msCATVerdict, false},
		{"msSFTY", msSFTY, false},
		{"msIPV", msIPV, false},
		{"msDIR", msDIR, false},
		{"msSRV", msSRV, false},
		{"msAuthAs", msAuthAs, false},
		{"msFromEntity", msFromEntity, false},
		{"msDirectionality", msDirectionality, false},
		{"rspamdActions", rspamdActions, false},
		{"rspamdActionVerdict", rspamdActionVerdict, false},
		{"rspamdSymbols", rspamdSymbols, false},
		{"saRules", saRules, false},
		{"saAutolearn", saAutolearn, false},
	}
	for _, tt := range tables {
		if len(tt.table) == 0 {
			t.Errorf("%s is empty", tt.name)
		}
		seen := map[string]bool{}
		for _, e := range tt.table {
			if seen[e.code] {
				t.Errorf("%s gives %q twice", tt.name, e.code)
			}
			seen[e.code] = true
			want := strings.ToUpper(e.code)
			if tt.lower {
				want = strings.ToLower(e.code)
			}
			if e.code != want || e.meaning == "" {
				t.Errorf("%s: code %q with meaning %q, want the code as %q and a meaning", tt.name, e.code, e.meaning, want)
			}
			if got, ok := tt.table.get(e.code); !ok || got != e.meaning {
				t.Errorf("%s.get(%q) = %q, %v; want %q, true", tt.name, e.code, got, ok, e.meaning)
			}
		}
	}
}
