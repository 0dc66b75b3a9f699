// Package guard runs goroutines whose panics become errors. In the browser
// an unrecovered panic in any goroutine stops the WebAssembly program, and
// with it every later analysis on the page; the recover in Analyze only
// covers its own goroutine. Every goroutine the analyzer starts goes
// through Go, so that a bug surfaces as a failed check instead.
package guard

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// PanicError is a recovered panic.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error (please report it): %v", e.Value)
}

// Go runs f in a new goroutine tracked by wg. If f panics, onPanic is
// called in that goroutine with a *PanicError before wg is released.
func Go(wg *sync.WaitGroup, f func(), onPanic func(err error)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if p := recover(); p != nil {
				onPanic(&PanicError{Value: p, Stack: debug.Stack()})
			}
		}()
		f()
	}()
}
