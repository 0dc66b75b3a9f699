//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer/domaincheck"
	"headerlens/internal/jsonx"
)

// registerDomain adds headerlens.checkDomain(domain, options) to obj. It
// returns a Promise of the domaincheck report as a plain object. options
// (all optional): doh (a URL or an array of them), dkimSelectors (a
// string or an array of them), companion (a URL: STARTTLS and the MTA-STS
// policy), timeoutMs. The bridge holds no logic: it
// reads the options and calls domaincheck.Check.
func registerDomain(global, obj safejs.Value) error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		return checkDomainJS(global, args)
	})
	if err != nil {
		return err
	}
	keep = append(keep, fn)
	return obj.Set("checkDomain", fn.Value())
}

// checkDomainJS implements headerlens.checkDomain; the check runs in a
// goroutine, as a JS callback must not block.
func checkDomainJS(global safejs.Value, args []safejs.Value) any {
	return promise(global, func() (any, error) {
		domain, opts, timeout, err := domainArgs(args)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			out, err := runDomainCheck(domain, opts, timeout)
			if err != nil {
				return nil, err
			}
			return parseJSON(global, out)
		}, nil
	})
}

// domainArgs reads (domain, options).
func domainArgs(args []safejs.Value) (string, domaincheck.Options, time.Duration, error) {
	var opts domaincheck.Options
	timeout := defaultTimeout
	if len(args) == 0 || args[0].Type() != safejs.TypeString {
		return "", opts, 0, errors.New("headerlens: checkDomain needs a domain name (a string)")
	}
	domain, err := args[0].String()
	if err != nil {
		return "", opts, 0, err
	}
	var doh []string
	var companionURL string
	if len(args) > 1 && args[1].Type() == safejs.TypeObject {
		o := args[1]
		if doh, err = stringsField(o, "doh"); err != nil {
			return "", opts, 0, err
		}
		if opts.Selectors, err = stringsField(o, "dkimSelectors"); err != nil {
			return "", opts, 0, err
		}
		if companionURL, err = stringField(o, "companion"); err != nil {
			return "", opts, 0, err
		}
		if timeout, err = timeoutField(o, timeout); err != nil {
			return "", opts, 0, err
		}
	} else if len(args) > 1 && !args[1].IsUndefined() && !args[1].IsNull() {
		return "", opts, 0, errors.New("headerlens: options must be an object")
	}
	r, err := pageResolver(doh)
	if err != nil {
		return "", opts, 0, err
	}
	opts.Resolver, opts.Exchanger = r, r
	if companionURL != "" {
		// Only the domain name is sent to the companion.
		c, err := companionClient(companionURL)
		if err != nil {
			return "", opts, 0, err
		}
		opts.Companion = c
	}
	return domain, opts, timeout, nil
}

// runDomainCheck runs the check under timeout and returns the report as
// JSON. A panic below is recovered and returned as an error.
func runDomainCheck(domain string, opts domaincheck.Options, timeout time.Duration) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("headerlens: internal error during the domain check: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return jsonx.Marshal(domaincheck.Check(ctx, domain, opts))
}
