//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
	"headerlens/companion/client"
	"headerlens/dohresolver"
)

// errTooLarge is returned for an input over MaxInputBytes. Its text names
// the limit as a constant (TestErrTooLargeNamesTheLimit keeps the two in
// step), so that fmt does not run when the module starts.
var errTooLarge = errors.New("headerlens: the message is larger than 10 MiB; paste the headers only")

// dohMethod is the HTTP method of the page's DoH queries. RFC 8484 §4.1
// allows GET and POST and servers must answer both. A cross-origin POST
// with Content-Type application/dns-message needs a CORS preflight (Fetch
// Standard §3.2.2), one more round trip to the resolver before the first
// analysis's first answer; a GET, which carries only the safelisted Accept
// header, needs none.
const dohMethod = "GET"

// dohTimeout bounds one DoH exchange.
const dohTimeout = 10 * time.Second

// parseArgs converts the arguments of analyze(input, options) into the
// analyzer's input and Options and the analysis timeout.
func parseArgs(args []safejs.Value) ([]byte, analyzer.Options, time.Duration, error) {
	var opts analyzer.Options
	if len(args) == 0 {
		return nil, opts, 0, errors.New("headerlens: analyze needs the message as its first argument")
	}
	input, err := readInput(args[0])
	if err != nil {
		return nil, opts, 0, err
	}
	var o safejs.Value
	if len(args) > 1 {
		o = args[1]
	}
	opts, timeout, err := readOptions(o)
	if err != nil {
		return nil, opts, 0, err
	}
	return input, opts, timeout, nil
}

// readInput accepts a string or a Uint8Array, checking the size before
// copying anything into Go memory.
func readInput(v safejs.Value) ([]byte, error) {
	switch v.Type() {
	case safejs.TypeString:
		// syscall/js reads properties of objects only: measure the string
		// through its wrapper object, Object(s).length, before copying it.
		objCtor, err := safejs.Global().Get("Object")
		if err != nil {
			return nil, err
		}
		wrapped, err := objCtor.Invoke(v)
		if err != nil {
			return nil, err
		}
		n, err := wrapped.Length()
		if err != nil {
			return nil, err
		}
		if n > MaxInputBytes {
			return nil, errTooLarge
		}
		s, err := v.String()
		if err != nil {
			return nil, err
		}
		if len(s) > MaxInputBytes {
			return nil, errTooLarge
		}
		return []byte(s), nil
	case safejs.TypeObject:
		u8, err := safejs.Global().Get("Uint8Array")
		if err != nil {
			return nil, err
		}
		if ok, err := v.InstanceOf(u8); err != nil || !ok {
			return nil, errors.New("headerlens: the message must be a string or a Uint8Array")
		}
		n, err := v.Length()
		if err != nil {
			return nil, err
		}
		if n > MaxInputBytes {
			return nil, errTooLarge
		}
		buf := make([]byte, n)
		if _, err := safejs.CopyBytesToGo(buf, v); err != nil {
			return nil, err
		}
		return buf, nil
	default:
		return nil, errors.New("headerlens: the message must be a string or a Uint8Array")
	}
}

// warmUpEndpoint names the resolver of a warm-up analysis in its DNS log;
// the .invalid name (RFC 2606 §2) is never reached: NXDomainTransport
// answers in the page.
const warmUpEndpoint = "https://warm-up.invalid/dns-query"

// readOptions converts the options object. A missing or null object means
// the defaults: DNS through dohresolver.DefaultEndpoints, no companion.
// Offline, a companion option is ignored: nothing leaves the page. With
// warmUp, the analysis is live but its resolver answers every query
// NXDOMAIN itself (dohresolver.NXDomainTransport), and doh and companion
// are ignored: js/bridge.js runs one such analysis while the page is idle,
// so that the browser compiles the code of a live analysis before the
// reader's first one.
func readOptions(o safejs.Value) (analyzer.Options, time.Duration, error) {
	var opts analyzer.Options
	timeout := defaultTimeout
	var doh []string
	var companionURL string
	offline, warmUp := false, false
	if o.Type() == safejs.TypeObject {
		var err error
		if offline, err = boolField(o, "offline"); err != nil {
			return opts, 0, err
		}
		if warmUp, err = boolField(o, "warmUp"); err != nil {
			return opts, 0, err
		}
		if doh, err = stringsField(o, "doh"); err != nil {
			return opts, 0, err
		}
		if companionURL, err = stringField(o, "companion"); err != nil {
			return opts, 0, err
		}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"ip", &opts.IP}, {"helo", &opts.HELO}, {"mailFrom", &opts.MailFrom}} {
			if *f.dst, err = stringField(o, f.name); err != nil {
				return opts, 0, err
			}
		}
		if timeout, err = timeoutField(o, timeout); err != nil {
			return opts, 0, err
		}
	} else if !o.IsUndefined() && !o.IsNull() {
		return opts, 0, errors.New("headerlens: options must be an object")
	}
	opts.Timeout = timeout
	if offline {
		// Offline: no resolver, so nothing leaves the page.
		return opts, timeout, nil
	}
	var r *dohresolver.Resolver
	var err error
	if warmUp {
		// A warm-up (js/bridge.js): the live checks run, but every query
		// is answered NXDOMAIN in the page; nothing leaves it.
		r, err = dohresolver.New(dohresolver.Config{Endpoints: []string{warmUpEndpoint}, Transport: dohresolver.NXDomainTransport(), Timeout: dohTimeout})
		companionURL = ""
	} else {
		r, err = pageResolver(doh)
	}
	if err != nil {
		return opts, 0, err
	}
	opts.Resolver = r
	if companionURL != "" {
		// The companion is asked about the From and recipient domains
		// (report.transport); only those names are sent.
		c, err := companionClient(companionURL)
		if err != nil {
			return opts, 0, err
		}
		opts.Transport = c
	}
	opts.Timeout = timeout
	return opts, timeout, nil
}

// pageResolver is the resolver of the page's live checks: DoH through
// endpoints, dohresolver.DefaultEndpoints when there are none, by dohMethod.
func pageResolver(endpoints []string) (*dohresolver.Resolver, error) {
	if len(endpoints) == 0 {
		endpoints = dohresolver.DefaultEndpoints
	}
	return dohresolver.New(dohresolver.Config{Endpoints: endpoints, Method: dohMethod, Timeout: dohTimeout})
}

// companionClient is the client of the companion at url, the option
// companion.
func companionClient(url string) (*client.Client, error) {
	c, err := client.New(url, nil)
	if err != nil {
		return nil, fmt.Errorf("headerlens: option companion: %w", err)
	}
	return c, nil
}

// timeoutField reads the optional timeoutMs property: a limit in
// milliseconds above 0 and below an hour, else def.
func timeoutField(o safejs.Value, def time.Duration) (time.Duration, error) {
	ms, err := o.Get("timeoutMs")
	if err != nil {
		return 0, err
	}
	if ms.Type() != safejs.TypeNumber {
		return def, nil
	}
	f, err := ms.Float()
	if err != nil {
		return 0, err
	}
	if f > 0 && f < float64(time.Hour/time.Millisecond) {
		return time.Duration(f * float64(time.Millisecond)), nil
	}
	return def, nil
}

// stringField reads an optional string property.
func stringField(o safejs.Value, name string) (string, error) {
	v, err := o.Get(name)
	if err != nil {
		return "", err
	}
	switch v.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return "", nil
	case safejs.TypeString:
		return v.String()
	}
	return "", fmt.Errorf("headerlens: option %s must be a string", name)
}

// boolField reads an optional boolean property (truthiness of the value).
func boolField(o safejs.Value, name string) (bool, error) {
	v, err := o.Get(name)
	if err != nil {
		return false, err
	}
	return v.Truthy()
}

// stringsField reads an optional property that is a string or an array of
// strings; empty strings are dropped.
func stringsField(o safejs.Value, name string) ([]string, error) {
	v, err := o.Get(name)
	if err != nil {
		return nil, err
	}
	switch v.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
		return nil, nil
	case safejs.TypeString:
		s, err := v.String()
		if err != nil || s == "" {
			return nil, err
		}
		return []string{s}, nil
	case safejs.TypeObject:
		n, err := v.Length()
		if err != nil {
			return nil, fmt.Errorf("headerlens: option %s must be a string or an array of strings", name)
		}
		if n > 16 {
			return nil, fmt.Errorf("headerlens: option %s lists more than 16 URLs", name)
		}
		var out []string
		for i := 0; i < n; i++ {
			e, err := v.Index(i)
			if err != nil {
				return nil, err
			}
			if e.Type() != safejs.TypeString {
				return nil, fmt.Errorf("headerlens: option %s must be a string or an array of strings", name)
			}
			s, err := e.String()
			if err != nil {
				return nil, err
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("headerlens: option %s must be a string or an array of strings", name)
}
