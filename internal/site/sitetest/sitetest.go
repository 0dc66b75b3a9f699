// Package sitetest holds test helpers for servers of the site: it records
// when the server closes each client's connection, so that tests of slow
// clients can measure how long the server held them.
package sitetest

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// WatchClosed sets srv.ConnState to record when each connection closes,
// and returns a function that waits (up to 10 s) for the connection of the
// client address given to be closed and reports when it was. Call it
// before srv starts serving.
func WatchClosed(srv *http.Server) func(client net.Addr) (time.Time, bool) {
	var mu sync.Mutex
	closed := map[string]time.Time{}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			mu.Lock()
			closed[c.RemoteAddr().String()] = time.Now()
			mu.Unlock()
		}
	}
	return func(client net.Addr) (time.Time, bool) {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			at, ok := closed[client.String()]
			mu.Unlock()
			if ok {
				return at, true
			}
		}
		return time.Time{}, false
	}
}
