package dohresolver

import (
	"context"
	"fmt"
	"sync"
)

// flightGroup de-duplicates identical queries in flight: callers asking
// the same question while it is being resolved share one exchange.
//
// The exchange runs in its own goroutine with a context detached from the
// first caller's cancellation (its values, such as the query log, are
// kept). Each caller waits for the result or for its own context; when the
// last waiting caller gives up, the exchange is canceled.
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done    chan struct{}
	ans     *answer
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns the result of fn for key, running fn once for all concurrent
// callers. shared is true when the caller joined an exchange started by
// another. A caller whose ctx ends first gets ctx.Err().
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) (*answer, error)) (ans *answer, shared bool, err error) {
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]*flight{}
	}
	f := g.m[key]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.m[key] = f
		go g.run(f, fctx, key, fn)
	} else {
		shared = true
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.ans, shared, f.err
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if g.m[key] == f {
				delete(g.m, key)
			}
		}
		g.mu.Unlock()
		return nil, shared, ctx.Err()
	}
}

func (g *flightGroup) run(f *flight, ctx context.Context, key string, fn func(context.Context) (*answer, error)) {
	defer func() {
		if p := recover(); p != nil {
			// Input is hostile: a panic while handling an answer becomes
			// an error, never a crash.
			f.ans, f.err = nil, &Error{Kind: KindMalformed, Detail: fmt.Sprintf("internal error: %v", p)}
		}
		g.mu.Lock()
		if g.m[key] == f {
			delete(g.m, key)
		}
		g.mu.Unlock()
		f.cancel()
		close(f.done)
	}()
	f.ans, f.err = fn(ctx)
}
