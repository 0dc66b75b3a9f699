package vendor

import (
	"net"
	"strings"
)

const (
	vendorGoogle = "Google"
	vendorYahoo  = "Yahoo"
)

// Google does not document the format of its X-Gm-* and X-Google-* fields;
// they are kept as written. X-Received records a hop inside Google in the
// syntax of a Received field (RFC 5321 §4.4), so it is handed over as a
// trace. Gmail Help "Trace an email with its full headers" shows how to
// read headers but does not explain these fields.

// registerGoogleYahoo adds this file's decoders to t.
func registerGoogleYahoo(t decoderTable) {
	t.register(vendorGoogle, func(d *Decoded) {
		v := collapse(d.Raw)
		d.Trace = v
		d.add("trace", v, "a hop inside Google's systems, written like a Received field (RFC 5321 §4.4)", true)
		d.Summary = "Google internal hop: " + firstWords(v, 8)
	}, "X-Received")
	t.register(vendorGoogle, func(d *Decoded) { d.opaque("Gmail message state used by Google's systems") }, "X-Gm-Message-State")
	t.register(vendorGoogle, func(d *Decoded) { d.opaque("encoded information about the Google SMTP source that sent the message") }, "X-Google-Smtp-Source")
	t.register(vendorGoogle, func(d *Decoded) { d.opaque("Google Groups / Gmail internal data") }, "X-Gm-Gg")
	t.register(vendorGoogle, func(d *Decoded) { d.opaque("Gmail feature flags") }, "X-Gm-Features")
	t.register(vendorGoogle, func(d *Decoded) {
		d.Opaque = true
		d.add("present", "yes", "Google signed the message internally with a DKIM-style signature; it is not meant for verification by other receivers", true)
		d.add("signature", collapse(d.Raw), "the signature as written", true)
		d.Summary = "Google internal DKIM-style signature present"
	}, "X-Google-DKIM-Signature")

	t.register(vendorYahoo, func(d *Decoded) { d.opaque("Yahoo internal tracking data added when the message was submitted") }, "X-YMail-OSG", "X-YMailISG")
	t.register(vendorYahoo, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("property", v, "the Yahoo property (service) that handled the message", true)
		d.Summary = "Yahoo property " + v
	}, "X-Yahoo-Newman-Property")
	t.register(vendorYahoo, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		d.add("id", v, "Yahoo internal message identifier", true)
		d.Summary = "Yahoo message ID " + v
	}, "X-Yahoo-Newman-Id")
	t.register(vendorYahoo, decodeApparentlyTo, "X-Apparently-To")
	t.register(vendorYahoo, func(d *Decoded) {
		v := strings.TrimSpace(d.Raw)
		known := net.ParseIP(v) != nil
		d.add("ip", v, "Yahoo filed the message as bulk; the value is the sending IP address", known)
		d.Verdict = "bulk"
		d.Summary = "Yahoo classified the message as bulk"
	}, "X-YahooFilteredBulk")
}

// decodeApparentlyTo decodes "rcpt@yahoo.com via 192.0.2.1; Thu, 03 Dec
// 2009 10:50:22 -0800": the recipient, the connecting IP and the time
// Yahoo received the message.
func decodeApparentlyTo(d *Decoded) {
	v := collapse(d.Raw)
	head, date, _ := strings.Cut(v, ";")
	rcpt, ip, hasVia := strings.Cut(head, " via ")
	d.add("recipient", strings.TrimSpace(rcpt), "the recipient mailbox at Yahoo", true)
	if hasVia {
		ip = strings.TrimSpace(ip)
		d.add("via", ip, "the IP address that delivered the message to Yahoo", net.ParseIP(ip) != nil)
	}
	if date = strings.TrimSpace(date); date != "" {
		d.add("date", date, "when Yahoo received the message", true)
	}
	d.Summary = "delivered to " + strings.TrimSpace(rcpt) + " at Yahoo"
	if hasVia {
		d.Summary += " via " + ip
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		return strings.Join(f[:n], " ") + " ..."
	}
	return strings.Join(f, " ")
}
