// Package vendor decodes the anti-spam and routing header fields that mail
// providers and filtering products add to messages: Microsoft 365 /
// Exchange Online, SpamAssassin, rspamd, Google, Proofpoint, Mimecast,
// Barracuda, Cisco IronPort (Secure Email) and Yahoo.
//
// These fields are not standardised by any RFC; each decoder cites the
// vendor's own documentation beside the meanings it gives. The raw value
// is always kept; codes a vendor does not document are reported with
// Known false rather than guessed or dropped.
package vendor

import (
	"strings"
	"sync"
	"unicode/utf8"

	"headerlens/analyzer/message"
)

// maxValueLen bounds how much of one value is decoded.
const maxValueLen = 64 << 10

// maxFields bounds the number of fields decoded from one value.
const maxFields = 512

// Field is one decoded part of a vendor header value.
type Field struct {
	// Key names the part, as the vendor writes it ("SFV", "score", a rule
	// name...).
	Key string `json:"key"`
	// Value is the part's value as written.
	Value string `json:"value"`
	// Meaning explains the key and value for a person; empty when unknown.
	Meaning string `json:"meaning,omitempty"`
	// Known is false when the vendor does not document this key or value.
	Known bool `json:"known"`
}

// Decoded is one vendor header field, decoded.
type Decoded struct {
	// Vendor names the product ("Microsoft 365", "SpamAssassin"...).
	Vendor string `json:"vendor"`
	// Header is the field name as written.
	Header string `json:"header"`
	// Raw is the field value as given.
	Raw string `json:"raw"`
	// Fields are the decoded parts in written order.
	Fields []Field `json:"fields"`
	// Summary is a one-line reading for a person.
	Summary string `json:"summary"`
	// Verdict is the filter's overall classification when the field states
	// one: "spam", "not-spam", "bulk", "phish", "malware", "blocked",
	// "allowed" or "" (no verdict in this field).
	Verdict string `json:"verdict,omitempty"`
	// Trace is set for Received-like trace fields (Google's X-Received):
	// the value, to be read like a Received field by the caller.
	Trace string `json:"trace,omitempty"`
	// Opaque is true when the vendor does not document the value's format;
	// it is shown as written.
	Opaque bool `json:"opaque,omitempty"`
	// Index is the position of the field in the header, 0 = topmost.
	Index int `json:"index"`
}

// decoder fills d from d.Raw.
type decoder func(d *Decoded)

type entry struct {
	vendor string
	fn     decoder
}

// decoderTable maps lower-case field names to their decoder.
type decoderTable map[string]entry

// register adds fn as the decoder of the fields names, for vendor.
func (t decoderTable) register(vendor string, fn decoder, names ...string) {
	for _, n := range names {
		t[strings.ToLower(n)] = entry{vendor, fn}
	}
}

// decoders returns the table of every decoder, made on first use rather
// than by init functions, which would run when the program starts, in the
// page's WebAssembly module too (issue 10).
var decoders = sync.OnceValue(func() decoderTable {
	t := decoderTable{}
	// The order of the files, as their init functions ran: a later
	// registration of the same name would win.
	registerGateways(t)
	registerGoogleYahoo(t)
	registerMicrosoft(t)
	registerRspamd(t)
	registerSpamAssassin(t)
	return t
})

// prefixes name vendors by field-name prefix for fields without a decoder;
// such fields are kept, marked Opaque.
var prefixes = []struct{ prefix, vendor string }{
	{"x-ms-exchange-", vendorMicrosoft},
	{"x-microsoft-", vendorMicrosoft},
	{"x-forefront-", vendorMicrosoft},
	{"x-ms-", vendorMicrosoft},
	{"x-proofpoint-", vendorProofpoint},
	{"x-mimecast-", vendorMimecast},
	{"x-barracuda-", vendorBarracuda},
	{"x-asg-", vendorBarracuda},
	{"x-ironport-", vendorIronPort},
	{"x-gm-", vendorGoogle},
	{"x-google-", vendorGoogle},
	{"x-rspamd-", vendorRspamd},
	{"x-spamd-", vendorRspamd},
	{"x-spam-", vendorSpamFilter},
	{"x-ymail-", vendorYahoo},
	{"x-yahoo-", vendorYahoo},
}

// onlyXNames reports whether every decoder and prefix name starts with
// "x-", so that DecodeField can turn other fields away without
// lower-casing their names.
var onlyXNames = sync.OnceValue(func() bool {
	for n := range decoders() {
		if !strings.HasPrefix(n, "x-") {
			return false
		}
	}
	for _, p := range prefixes {
		if !strings.HasPrefix(p.prefix, "x-") {
			return false
		}
	}
	return true
})

// DecodeField decodes one field. ok is false when the name belongs to no
// known vendor.
func DecodeField(name, value string) (Decoded, bool) {
	tname := strings.TrimSpace(name)
	if onlyXNames() && !mayBeX(tname) {
		return Decoded{}, false
	}
	lname := strings.ToLower(tname)
	// Exchange copies fields it replaces as X-Original-<name>.
	base := strings.TrimPrefix(lname, "x-original-")
	if base != lname {
		base = "x-" + base
	}
	raw := value
	if len(value) > maxValueLen {
		value = value[:maxValueLen]
	}
	for _, n := range [2]string{lname, base} {
		if e, found := decoders()[n]; found {
			d := Decoded{Header: name, Raw: raw, Vendor: e.vendor}
			e.fn(&d)
			if len(d.Fields) > maxFields {
				d.Fields = d.Fields[:maxFields]
			}
			if d.Fields == nil {
				d.Fields = []Field{}
			}
			return d, true
		}
	}
	for _, p := range prefixes {
		if strings.HasPrefix(lname, p.prefix) || strings.HasPrefix(base, p.prefix) {
			d := Decoded{Header: name, Raw: raw, Vendor: p.vendor, Opaque: true}
			d.Fields = []Field{{Key: name, Value: collapse(value), Meaning: "no decoder for this " + p.vendor + " field; shown as written", Known: false}}
			d.Summary = p.vendor + " field not decoded; shown as written"
			return d, true
		}
	}
	return Decoded{}, false
}

// mayBeX reports whether strings.ToLower(name) may start with "x-": true
// for "x-" and "X-" and for any name with non-ASCII bytes (left to
// strings.ToLower).
func mayBeX(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return true
		}
	}
	return len(name) >= 2 && (name[0] == 'x' || name[0] == 'X') && name[1] == '-'
}

// Limits on what Decode returns for one message.
const (
	// MaxDecoded is the number of vendor fields decoded per message.
	MaxDecoded = 128
	// MaxMessageFields is the number of decoded parts over all of them.
	MaxMessageFields = 2048
	// maxRawLen bounds Decoded.Raw; the whole value stays in the
	// report's header list.
	maxRawLen = 2048
)

// Decode decodes the vendor fields of a header, in order, up to
// MaxDecoded fields and MaxMessageFields parts in all; skipped counts the
// vendor fields left undecoded beyond those limits. Raw values longer than
// 2 KiB are shortened.
func Decode(fields []message.Field) (decoded []Decoded, skipped int) {
	budget := MaxMessageFields
	for i, f := range fields {
		d, ok := DecodeField(f.Name, f.Value)
		if !ok {
			continue
		}
		// Bound the report for hostile input: every decoded part becomes
		// an object, so a header block of short tokens would otherwise
		// give a report many times its size.
		if len(decoded) >= MaxDecoded || budget <= 0 {
			skipped++
			continue
		}
		if len(d.Fields) > budget {
			d.Fields = d.Fields[:budget]
			d.Summary += " (only the first parts were decoded)"
		}
		budget -= len(d.Fields)
		if len(d.Raw) > maxRawLen {
			cut := maxRawLen
			for cut > 0 && !utf8.RuneStart(d.Raw[cut]) {
				cut--
			}
			d.Raw = d.Raw[:cut] + "…"
		}
		d.Index = i
		decoded = append(decoded, d)
	}
	return decoded, skipped
}

// add appends a field to d.
func (d *Decoded) add(key, value, meaning string, known bool) {
	if len(d.Fields) >= maxFields {
		return
	}
	d.Fields = append(d.Fields, Field{Key: key, Value: value, Meaning: meaning, Known: known})
}

// lookup appends key=value explained from table, Known false when the
// value is not in the table.
func (d *Decoded) lookup(key, value, what string, table meanings) {
	if m, ok := table.get(strings.ToUpper(value)); ok {
		d.add(key, value, what+": "+m, true)
		return
	}
	if value == "" {
		d.add(key, value, what+": empty", true)
		return
	}
	d.add(key, value, what+": value not documented by the vendor", false)
}

// meanings is a table of a vendor's codes (in upper or lower case, as
// looked up) and what they mean. It is a slice of pairs and not a map: a
// package-level slice literal is static data in the binary, where a map
// literal is code that builds the map when the program starts, in the
// page's WebAssembly module too (issue 10). The tables hold at most a few
// dozen codes, so a linear scan costs nothing.
type meanings []struct{ code, meaning string }

// get returns the meaning of code, and whether the table has it.
func (t meanings) get(code string) (string, bool) {
	for _, e := range t {
		if e.code == code {
			return e.meaning, true
		}
	}
	return "", false
}

// opaque marks d as a value whose format the vendor does not document; it
// is shown as written with what is publicly known of its purpose.
func (d *Decoded) opaque(purpose string) {
	d.Opaque = true
	d.add(d.Header, collapse(d.Raw), purpose+"; the format is not publicly documented", false)
	d.Summary = d.Vendor + ": " + purpose
}

// splitPairs splits "a=1 b=2" or "a=1; b=2" into key/value pairs; values may
// be double-quoted. Words without "=" are returned with an empty value.
func splitPairs(s string, seps string) [][2]string {
	var out [][2]string
	i := 0
	for i < len(s) && len(out) < maxFields {
		for i < len(s) && (strings.IndexByte(seps, s[i]) >= 0 || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] != '=' && strings.IndexByte(seps, s[i]) < 0 && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
			i++
		}
		key := s[start:i]
		if i < len(s) && s[i] == '=' {
			i++
			var val string
			if i < len(s) && s[i] == '"' {
				j := strings.IndexByte(s[i+1:], '"')
				if j < 0 {
					val = s[i+1:]
					i = len(s)
				} else {
					val = s[i+1 : i+1+j]
					i += j + 2
				}
			} else {
				vs := i
				for i < len(s) && strings.IndexByte(seps, s[i]) < 0 && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
					i++
				}
				val = s[vs:i]
			}
			out = append(out, [2]string{key, val})
			continue
		}
		if key == "" {
			i++
			continue
		}
		out = append(out, [2]string{key, ""})
	}
	return out
}

// collapse folds runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
