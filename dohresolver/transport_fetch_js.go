//go:build js && wasm

package dohresolver

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hack-pad/safejs"
)

// DefaultTransport returns the platform's default Transport: under
// GOOS=js, the browser's (or Node's) fetch, through safejs so that a
// JavaScript exception becomes an error instead of a panic. DoH never goes
// through net/http in the wasm build.
func DefaultTransport() Transport { return fetchTransport{} }

// fetchTransport performs DoH exchanges with fetch, aborted through an
// AbortController when the context ends.
type fetchTransport struct{}

// abortGrace is how long RoundTrip waits, after aborting, for fetch's
// promise to settle before giving up on it.
const abortGrace = 2 * time.Second

// RoundTrip performs req with fetch.
func (fetchTransport) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	global := safejs.Global()
	ctor, err := global.Get("AbortController")
	if err != nil {
		return nil, err
	}
	ac, err := ctor.New()
	if err != nil {
		return nil, fmt.Errorf("AbortController: %w", err)
	}
	signal, err := ac.Get("signal")
	if err != nil {
		return nil, err
	}
	// Abort the request when ctx ends; both fetch and the body read then
	// reject with an AbortError.
	stop := context.AfterFunc(ctx, func() { ac.Call("abort") })
	defer stop()

	// RFC 8484 §4.1: the query's media type and the accepted answer.
	headers := map[string]any{"Accept": req.accept()}
	init := map[string]any{
		"method":      req.Method,
		"headers":     headers,
		"signal":      signal,
		"credentials": "omit",
		"redirect":    "error",
		"mode":        "cors",
		// A GET answer is not written to the browser's HTTP cache: the
		// names a message made the page look up stay out of the
		// profile, and the resolver's own cache follows the TTLs.
		"cache": "no-store",
	}
	if req.Body != nil {
		headers["Content-Type"] = mediaType
		u8ctor, err := global.Get("Uint8Array")
		if err != nil {
			return nil, err
		}
		body, err := u8ctor.New(len(req.Body))
		if err != nil {
			return nil, err
		}
		if _, err := safejs.CopyBytesToJS(body, req.Body); err != nil {
			return nil, err
		}
		init["body"] = body
	}
	// Call converts the nested maps and safejs values of init.
	promise, err := global.Call("fetch", req.URL, init)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	resp, err := await(ctx, promise)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	out := &Response{}
	if v, err := resp.Get("status"); err == nil {
		out.Status, _ = v.Int()
	}
	hdrs, err := resp.Get("headers")
	if err != nil {
		return nil, err
	}
	if ct, err := hdrs.Call("get", "content-type"); err == nil && !ct.IsNull() {
		out.ContentType, _ = ct.String()
	}
	// A body announced as oversize is not read at all.
	if cl, err := hdrs.Call("get", "content-length"); err == nil && !cl.IsNull() {
		s, _ := cl.String()
		if n, err := strconv.Atoi(s); err == nil && n > req.MaxResponseSize {
			ac.Call("abort")
			out.Body = make([]byte, req.MaxResponseSize+1)
			return out, nil
		}
	}
	bufPromise, err := resp.Call("arrayBuffer")
	if err != nil {
		return nil, err
	}
	buf, err := await(ctx, bufPromise)
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	u8ctor, err := global.Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	u8, err := u8ctor.New(buf)
	if err != nil {
		return nil, err
	}
	n, err := u8.Length()
	if err != nil {
		return nil, err
	}
	// Keep at most MaxResponseSize+1 bytes: enough to tell it was too big.
	out.Body = make([]byte, min(n, req.MaxResponseSize+1))
	if _, err := safejs.CopyBytesToGo(out.Body, u8); err != nil {
		return nil, err
	}
	return out, nil
}

// await waits for promise to settle and returns its value or its
// rejection reason as an error. When ctx ends first (the caller has
// aborted the fetch), it waits a little longer for the rejection so the
// callbacks can be released safely.
func await(ctx context.Context, promise safejs.Value) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	ch := make(chan result, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v := safejs.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = jsErrorString(args[0])
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	if err != nil {
		onOK.Release()
		return safejs.Value{}, err
	}
	if _, err := promise.Call("then", onOK, onErr); err != nil {
		onOK.Release()
		onErr.Release()
		return safejs.Value{}, err
	}
	release := func() { onOK.Release(); onErr.Release() }
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
	}
	t := time.NewTimer(abortGrace)
	defer t.Stop()
	select {
	case r := <-ch:
		release()
		if r.err == nil {
			return r.v, nil
		}
	case <-t.C:
		// The promise never settled: leave the callbacks alive (a call
		// into a released function would throw) and give up.
	}
	return safejs.Value{}, ctx.Err()
}

// jsErrorString describes a JavaScript rejection reason.
func jsErrorString(v safejs.Value) string {
	name, _ := v.Get("name")
	msg, _ := v.Get("message")
	n, _ := name.String()
	m, _ := msg.String()
	switch {
	case n != "" && m != "" && name.Type() == safejs.TypeString:
		return n + ": " + m
	case m != "" && msg.Type() == safejs.TypeString:
		return m
	}
	s, err := v.String()
	if err != nil || s == "" {
		return "promise rejected"
	}
	return s
}
