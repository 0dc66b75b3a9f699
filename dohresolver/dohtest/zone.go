package dohtest

import (
	"fmt"
	"os"
	"strings"

	"github.com/miekg/dns"
)

// Zone is a set of resource records with one origin, read from an RFC 1035
// §5 master file (zone file) by ZoneFile or ZoneText. A Zone that failed to
// parse carries its error, reported when it is given to NewServer or
// NewHandler.
type Zone struct {
	origin string
	rrs    []dns.RR
	err    error
}

// ZoneFile reads the zone file at path. The origin is taken from the file's
// $ORIGIN directive; when the file has none, the file name without its
// extension is used (testdata/zones/doh/example.com.zone has origin
// "example.com.").
func ZoneFile(path string) Zone {
	b, err := os.ReadFile(path)
	if err != nil {
		return Zone{err: fmt.Errorf("dohtest: %w", err)}
	}
	base := path
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, ".zone")
	return parseZone(dns.Fqdn(base), string(b), path)
}

// ZoneText parses text, the content of a zone file, relative to origin.
func ZoneText(origin, text string) Zone {
	return parseZone(dns.Fqdn(origin), text, "")
}

// Origin returns the zone's origin, fully qualified and lower-case.
func (z Zone) Origin() string { return z.origin }

// Err returns the error met while reading or parsing the zone, or nil.
func (z Zone) Err() error { return z.err }

// Records returns a copy of the zone's records.
func (z Zone) Records() []dns.RR {
	out := make([]dns.RR, len(z.rrs))
	for i, rr := range z.rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

func parseZone(origin, text, file string) Zone {
	if _, ok := dns.IsDomainName(origin); !ok {
		return Zone{err: fmt.Errorf("dohtest: bad origin %q", origin)}
	}
	zp := dns.NewZoneParser(strings.NewReader(text), origin, file)
	zp.SetDefaultTTL(3600)
	z := Zone{origin: strings.ToLower(origin)}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rr.Header().Name = strings.ToLower(rr.Header().Name)
		z.rrs = append(z.rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return Zone{err: fmt.Errorf("dohtest: zone %s: %w", origin, err)}
	}
	// A zone file whose $ORIGIN differs from the name we guessed: take the
	// origin from its SOA record, the apex by definition (RFC 1035 §5.2).
	for _, rr := range z.rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			z.origin = soa.Hdr.Name
			break
		}
	}
	return z
}
