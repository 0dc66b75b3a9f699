package guard

import (
	"errors"
	"sync"
	"testing"
)

func TestGo(t *testing.T) {
	var wg sync.WaitGroup
	var got error
	ran := false
	Go(&wg, func() { ran = true }, func(err error) { t.Errorf("onPanic(%v) without a panic", err) })
	Go(&wg, func() { panic("boom") }, func(err error) { got = err })
	wg.Wait()
	if !ran {
		t.Error("f did not run")
	}
	var pe *PanicError
	if !errors.As(got, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Errorf("onPanic got %v, want a *PanicError for \"boom\" with a stack", got)
	}
}
