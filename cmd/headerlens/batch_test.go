package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"headerlens/analyzer"
	"headerlens/analyzer/message"
	"headerlens/dohresolver"
	"headerlens/dohresolver/dohtest"
)

// splitItems runs the mbox reader over r with a line buffer of bufSize
// bytes and returns what it emitted.
func splitItems(r io.Reader, bufSize int) []item {
	var got []item
	splitMessagesBuffer("box", r, -1, bufSize, func(it item) bool {
		got = append(got, it)
		return true
	})
	return got
}

// split returns the texts of the messages in in (or "error: ..." for a
// failed item).
func split(in string, bufSize int) []string {
	var got []string
	for _, it := range splitItems(strings.NewReader(in), bufSize) {
		if it.err != nil {
			got = append(got, "error: "+it.err.Error())
		} else {
			got = append(got, string(it.data))
		}
	}
	return got
}

// refSplit applies the mbox rules to whole lines, with no buffer in the
// way: RFC 4155 §2 separators (a "From " line at the start of the input
// or after an empty line, which it takes from the previous message) and
// mboxrd unquoting (^>+From loses one ">"). It is what splitMessages must
// give for input under the size cap.
func refSplit(in []byte) []string {
	if !bytes.HasPrefix(in, []byte("From ")) {
		return []string{string(in)}
	}
	var msgs []string
	var cur []byte
	started, prevEmpty, last := false, true, 0
	for _, line := range bytes.SplitAfter(in, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if prevEmpty && bytes.HasPrefix(line, []byte("From ")) {
			if started {
				msgs = append(msgs, string(cur[:last]))
			}
			started, prevEmpty, cur = true, false, nil
			continue
		}
		last = len(cur)
		prevEmpty = string(line) == "\n" || string(line) == "\r\n"
		if q := bytes.TrimLeft(line, ">"); len(q) < len(line) && bytes.HasPrefix(q, []byte("From ")) {
			line = line[1:]
		}
		cur = append(cur, line...)
	}
	return append(msgs, string(cur))
}

// describe shows messages short enough to read in a failure message.
func describe(msgs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d messages", len(msgs))
	for i, m := range msgs {
		if len(m) > 80 {
			m = fmt.Sprintf("%.40s…%s (%d bytes)", m, m[len(m)-40:], len(m))
		}
		fmt.Fprintf(&b, "; #%d %q", i+1, m)
	}
	return b.String()
}

func equal(a, b []string) bool {
	return fmt.Sprintf("%q", a) == fmt.Sprintf("%q", b)
}

// TestSplitMessagesLongLines: a "From " separator counts only at the start
// of a real line after an empty line, whatever the line lengths around it.
// A line of 65,536 bytes ends exactly where the 64 KiB reader's buffer
// does, so text right after it starts a piece of the line: the reader used
// to take such a piece for the start of a line, and a message body could
// forge a second message with headers of its author's choice.
func TestSplitMessagesLongLines(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		head := "From alice@example.org Tue Jan  3 10:00:00 2023" + eol
		body := "From: alice@example.org" + eol + "Subject: one" + eol + eol
		forgedRest := "Authentication-Results: mx.example.net; dkim=pass header.d=bank.example" + eol +
			"From: Bank <security@bank.example>" + eol + eol + "forged body" + eol
		forged := "From forged@evil.example Mon Jan  1 00:00:00 2024" + eol + forgedRest
		for _, n := range []int{mboxLineBuffer - 1, mboxLineBuffer, mboxLineBuffer + 1, 2 * mboxLineBuffer, 1 << 20} {
			long := strings.Repeat("x", n) // a body line of n bytes before its end of line
			tests := []struct {
				name string
				in   string
				want []string
			}{
				{"From in mid-line", head + body + long + forged, []string{body + long + forged}},
				{"From after a non-empty line", head + body + long + eol + forged, []string{body + long + eol + forged}},
				{"From after an empty line", head + body + long + eol + eol + forged, []string{body + long + eol, forgedRest}},
				{">From after an empty line", head + body + long + eol + eol + ">" + forged, []string{body + long + eol + eol + forged}},
			}
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s, line of %d bytes, %q", tt.name, n, eol), func(t *testing.T) {
					if got := split(tt.in, mboxLineBuffer); !equal(got, tt.want) {
						t.Errorf("got %v, want %v", describe(got), describe(tt.want))
					}
					if ref := refSplit([]byte(tt.in)); !equal(ref, tt.want) {
						t.Errorf("reference: got %v, want %v", describe(ref), describe(tt.want))
					}
				})
			}
		}
	}
}

// TestSplitMessages checks the message boundaries and mboxrd unquoting,
// with the real buffer and with the smallest one, which cuts lines longer
// than 16 bytes into pieces.
func TestSplitMessages(t *testing.T) {
	quotes := func(n int) string { return strings.Repeat(">", n) }
	longSep := "From " + strings.Repeat("s", 100) + " Mon\n"
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one message, no mbox", "From: a@example.org\n\nbody\nFrom here on\n", []string{"From: a@example.org\n\nbody\nFrom here on\n"}},
		{"not mbox: From later", "X: 1\n\nFrom b Mon\nX: 2\n", []string{"X: 1\n\nFrom b Mon\nX: 2\n"}},
		{"two messages", "From a Mon\nX: 1\n\nbody\n\nFrom b Mon\nX: 2\n\nb2\n", []string{"X: 1\n\nbody\n", "X: 2\n\nb2\n"}},
		{"CRLF", "From a Mon\r\nX: 1\r\n\r\nbody\r\n\r\nFrom b Mon\r\nX: 2\r\n", []string{"X: 1\r\n\r\nbody\r\n", "X: 2\r\n"}},
		{"only the last empty line is the separator's", "From a Mon\nX: 1\n\nbody\n\n\n\nFrom b Mon\nX: 2\n", []string{"X: 1\n\nbody\n\n\n", "X: 2\n"}},
		{"From right after the separator line is content", "From a Mon\nFrom b Mon\nX: 1\n", []string{"From b Mon\nX: 1\n"}},
		{"empty messages", "From a Mon\n\nFrom b Mon\n", []string{"", ""}},
		{"separator alone, no end of line", "From a Mon", []string{""}},
		{"no end of line at the end", "From a Mon\nX: 1\n\nlast", []string{"X: 1\n\nlast"}},
		{"mboxrd unquoting", "From a Mon\nX: 1\n\n>From me\n>>From you\n>Fromage\n>From\n", []string{"X: 1\n\nFrom me\n>From you\n>Fromage\n>From\n"}},
		{"quoted From after an empty line is content", "From a Mon\nX: 1\n\n\n>From me\n", []string{"X: 1\n\n\nFrom me\n"}},
		{"From in mid-line", "From a Mon\nX: 1\n\nsee From b Mon\n", []string{"X: 1\n\nsee From b Mon\n"}},
		{"'>' in mid-line is kept", "From a Mon\nX: 1\n\nsee >From b\n", []string{"X: 1\n\nsee >From b\n"}},
		{"separator longer than the buffer", longSep + "X: 1\n\nb\n\n" + longSep + "X: 2\n", []string{"X: 1\n\nb\n", "X: 2\n"}},
		{"long line, then From in mid-line", "From a Mon\nX: 1\n\n" + strings.Repeat("x", 32) + "From b Mon\nX: 2\n", []string{"X: 1\n\n" + strings.Repeat("x", 32) + "From b Mon\nX: 2\n"}},
		{"long quote run", "From a Mon\nX: 1\n\n" + quotes(40) + "From x\n", []string{"X: 1\n\n" + quotes(39) + "From x\n"}},
		{"quote run of a whole buffer", "From a Mon\nX: 1\n\n" + quotes(16) + "From x\n", []string{"X: 1\n\n" + quotes(15) + "From x\n"}},
		{"From cut by the buffer's end", "From a Mon\nX: 1\n\n" + quotes(14) + "From x\n", []string{"X: 1\n\n" + quotes(13) + "From x\n"}},
		{"From cut, then no match", "From a Mon\nX: 1\n\n" + quotes(14) + "Frog x\n", []string{"X: 1\n\n" + quotes(14) + "Frog x\n"}},
		{"long quote run, no From", "From a Mon\nX: 1\n\n" + quotes(40) + "\n", []string{"X: 1\n\n" + quotes(40) + "\n"}},
		{"long quote run, CRLF", "From a Mon\r\nX: 1\r\n\r\n" + quotes(30) + "From x\r\n", []string{"X: 1\r\n\r\n" + quotes(29) + "From x\r\n"}},
		{"quote run at the end of input", "From a Mon\nX: 1\n\n" + quotes(30) + "Fro", []string{"X: 1\n\n" + quotes(30) + "Fro"}},
	}
	for _, tt := range tests {
		if ref := refSplit([]byte(tt.in)); !equal(ref, tt.want) {
			t.Errorf("%s: reference: got %v, want %v", tt.name, describe(ref), describe(tt.want))
		}
		for _, size := range []int{16, mboxLineBuffer} {
			t.Run(fmt.Sprintf("%s, buffer %d", tt.name, size), func(t *testing.T) {
				if got := split(tt.in, size); !equal(got, tt.want) {
					t.Errorf("got %v, want %v", describe(got), describe(tt.want))
				}
			})
		}
	}
}

// repeatByte reads as an endless run of one byte.
type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	if len(p) > 0 {
		p[0] = byte(r)
		for n := 1; n < len(p); n *= 2 {
			copy(p[n:], p[:n])
		}
	}
	return len(p), nil
}

// TestSplitMessagesSizeCap: a message of exactly message.MaxInputSize
// bytes is read, even when the empty line before the next separator
// takes it over the cap while it is read; one byte more is reported as
// too large, and the next message is still read.
func TestSplitMessagesSizeCap(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		t.Run(fmt.Sprintf("%q", eol), func(t *testing.T) {
			head := "X: 1" + eol + eol
			fill := message.MaxInputSize - len(head) - len(eol)
			r := io.MultiReader(
				strings.NewReader("From a Mon"+eol+head), io.LimitReader(repeatByte('y'), int64(fill)), strings.NewReader(eol+eol),
				strings.NewReader("From b Mon"+eol+head), io.LimitReader(repeatByte('y'), int64(fill+1)), strings.NewReader(eol+eol),
				strings.NewReader("From c Mon"+eol+"X: 3"+eol+eol+"ok"+eol))
			got := splitItems(r, mboxLineBuffer)
			if len(got) != 3 {
				t.Fatalf("got %d messages, want 3", len(got))
			}
			if first := got[0].data; got[0].err != nil || len(first) != message.MaxInputSize || !bytes.HasPrefix(first, []byte(head+"yyy")) || !bytes.HasSuffix(first, []byte("yyy"+eol)) {
				t.Errorf("first message: got %d bytes (error %v), want the %d bytes of the message", len(first), got[0].err, message.MaxInputSize)
			}
			if cap(got[0].data) > message.MaxInputSize+2 {
				t.Errorf("first message's buffer: got capacity %d, want at most %d", cap(got[0].data), message.MaxInputSize+2)
			}
			if !errors.Is(got[1].err, message.ErrTooLarge) || got[1].data != nil || got[1].name != "box#2" {
				t.Errorf("second message: got %s with %d bytes and error %v, want box#2 with %v", got[1].name, len(got[1].data), got[1].err, message.ErrTooLarge)
			}
			if string(got[2].data) != "X: 3"+eol+eol+"ok"+eol || got[2].name != "box#3" {
				t.Errorf("third message: got %s %q, want box#3 %q", got[2].name, got[2].data, "X: 3"+eol+eol+"ok"+eol)
			}
		})
	}
}

// TestSplitMessagesReadError: the messages read before a read error are
// analyzed; the one being read when it happened carries the error.
func TestSplitMessagesReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("From a Mon\nX: 1\n\nbody\n\nFrom b Mon\nX: 2\n"), iotest.ErrReader(boom))
	got := splitItems(r, mboxLineBuffer)
	if len(got) != 2 || string(got[0].data) != "X: 1\n\nbody\n" || got[1].name != "box#2" || !errors.Is(got[1].err, boom) {
		t.Fatalf("got %+v, want box#1 then box#2 failing with %v", got, boom)
	}
	calls := 0
	splitMessages("box", strings.NewReader("From a Mon\nX: 1\n\nFrom b Mon\nX: 2\n"), -1, func(item) bool { calls++; return false })
	if calls != 1 {
		t.Errorf("emit returned false: got %d calls, want 1", calls)
	}
}

func FuzzSplitMessages(f *testing.F) {
	f.Add([]byte("From a Mon\nX: 1\n\nbody\n\nFrom b Mon\nX: 2\n"))
	f.Add([]byte("From a Mon\r\n>From x\r\n\r\nFrom b\r\n"))
	f.Add([]byte("From a\n\n" + strings.Repeat("x", 16) + "From forged\nX: evil\n"))
	f.Add([]byte("From a\n\n" + strings.Repeat(">", 14) + "From x\n\nFrom b\n"))
	f.Add([]byte("From " + strings.Repeat("s", 40) + "\n\n\nFrom b\n>>From c\n"))
	f.Add([]byte("X: not an mbox\n\nFrom a\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := refSplit(in)
		// The smallest buffer cuts most lines into pieces; the real one
		// reads them whole.
		for _, size := range []int{16, mboxLineBuffer} {
			var got []string
			total := 0
			for _, it := range splitItems(bytes.NewReader(in), size) {
				if it.err != nil {
					t.Fatalf("buffer %d: error on %d bytes of input: %v", size, len(in), it.err)
				}
				got = append(got, string(it.data))
				total += len(it.data)
			}
			// Messages come from the input, separators and quoting
			// removed: never more bytes than it holds.
			if total > len(in) {
				t.Fatalf("buffer %d: got %d bytes of messages, want at most the %d of the input", size, total, len(in))
			}
			if !equal(got, want) {
				t.Fatalf("buffer %d: got %v, want %v", size, describe(got), describe(want))
			}
		}
	})
}

// TestAnalyzeForgedMbox: the attack through the command: a message body
// with a line of 65,536 bytes followed by a forged "From " line and
// headers gives one report, of the real message.
func TestAnalyzeForgedMbox(t *testing.T) {
	p := filepath.Join(t.TempDir(), "box.mbox")
	in := "From alice@example.org Tue Jan  3 10:00:00 2023\n" + sample + "\n" + strings.Repeat("x", mboxLineBuffer) +
		"From forged@evil.example Mon Jan  1 00:00:00 2024\n" +
		"Authentication-Results: mx.example.net; dkim=pass header.d=bank.example\n" +
		"From: Bank <security@bank.example>\n\nforged body\n"
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "analyze", "--offline", "--format", "json", p)
	if code != exitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	if strings.Contains(out, "bank.example") || strings.Count(out, `"summary"`) != 1 || !strings.Contains(out, `"fromDomain": "example.org"`) {
		t.Errorf("got %d reports (forged one present: %v), want the one report of the real message", strings.Count(out, `"summary"`), strings.Contains(out, "bank.example"))
	}
}

// mboxStream reads as an mbox of n messages, each a header naming its own
// sender domain (so that DNS answers cannot be reused from a cache) and
// body, without holding the mbox in memory.
type mboxStream struct {
	n, i  int
	body  []byte
	head  []byte // what is left of the current message's header
	off   int    // bytes of body sent for the current message
	inMsg bool
}

func (s *mboxStream) Read(p []byte) (int, error) {
	if !s.inMsg {
		if s.i == s.n {
			return 0, io.EOF
		}
		s.i++
		s.inMsg, s.off = true, 0
		sep := "\nFrom a Mon\n" // RFC 4155 §2: after an empty line
		if s.i == 1 {
			sep = sep[1:]
		}
		s.head = fmt.Appendf(nil, "%sReceived: from mail.example.org (mail.example.org [192.0.2.25]) by mx.example.net; Tue, 3 Jan 2023 10:00:05 +0000\n"+
			"From: a@m%d.example.org\nTo: b@example.net\nSubject: %d\nDate: Tue, 3 Jan 2023 10:00:00 +0000\n\n", sep, s.i, s.i)
	}
	if len(s.head) > 0 {
		k := copy(p, s.head)
		s.head = s.head[k:]
		return k, nil
	}
	k := copy(p, s.body[s.off:])
	s.off += k
	if s.off == len(s.body) {
		s.inMsg = false
	}
	return k, nil
}

// TestBatchMemoryBound measures the heap while a batch analyzes an mbox of
// large messages with a DNS server slow enough (200 ms an answer) for them
// to queue up, as they would on a machine with many cores: twelve workers,
// a budget of three messages. Without the budget, all twelve messages are
// held at once, and the heap grows by some 45 MiB; with it, the heap holds
// the budget, the message the reader waits to queue, and the copy the
// analysis of each message makes. The budget's own count of bytes held
// must stay under its limit and come back to zero, and every message must
// be analyzed, in order.
func TestBatchMemoryBound(t *testing.T) {
	dns := dohtest.NewServer(t, dohtest.ZoneText("example.org.", `
$TTL 300
@        IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
`))
	dns.Handler.SetLatency(200 * time.Millisecond)
	res, err := dohresolver.New(dohresolver.Config{Endpoints: []string{dns.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	const (
		msgs    = 12
		msgSize = 3 << 19 // 1.5 MiB of body a message
		bufSize = 2 << 20 // its buffer: doubled from 4 KiB until it fits
		limit   = 3 * bufSize
	)
	body := bytes.Repeat([]byte(strings.Repeat("b", 999)+"\n"), msgSize/1000)

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(12))
	defer debug.SetGCPercent(debug.SetGCPercent(10)) // the heap then follows what is live
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()
	var out bytes.Buffer
	b := batch{ctx: context.Background(), opts: analyzer.Options{Resolver: res}, stdout: &out, stderr: io.Discard, format: "json", memory: newByteBudget(limit)}
	src := source{name: "big.mbox", size: -1, open: func() (io.ReadCloser, error) { return io.NopCloser(&mboxStream{n: msgs, body: body}), nil }}
	code := b.run([]source{src})
	close(stop)
	<-stopped
	if code != exitOK {
		t.Fatalf("got exit code %d, want %d", code, exitOK)
	}

	// The budget, the buffer the reader holds, a copy of each message
	// being analyzed (at most the budget again), and 12 MiB for the rest:
	// the DNS server and client, the reports, garbage not yet collected.
	grown := int(peak.Load()) - int(base)
	bound := 2*limit + bufSize + 12<<20
	t.Logf("heap grew by %.1f MiB at most, bound %.1f MiB; budget peak %.1f MiB", float64(grown)/(1<<20), float64(bound)/(1<<20), float64(b.memory.peak)/(1<<20))
	if grown > bound {
		t.Errorf("got the heap %d bytes over its size before the run, want at most %d", grown, bound)
	}
	if b.memory.peak > limit || b.memory.peak < msgSize {
		t.Errorf("got a peak of %d bytes held, want between one message (%d) and the limit (%d)", b.memory.peak, msgSize, limit)
	}
	if b.memory.held != 0 {
		t.Errorf("got %d bytes still held after the run, want 0", b.memory.held)
	}
	lines := decodeLines(t, out.String())
	for i, l := range lines {
		if want := fmt.Sprintf("big.mbox#%d", i+1); l.File != want || l.Report == nil {
			t.Errorf("line %d: got %s (error %q), want the report of %s", i+1, l.File, l.Error, want)
		}
	}
	if len(lines) != msgs {
		t.Errorf("got %d reports, want %d", len(lines), msgs)
	}
}

// TestByteBudget: acquire waits while the bytes held would go over the
// limit, and lets a request larger than the limit through alone.
func TestByteBudget(t *testing.T) {
	b := newByteBudget(10)
	b.acquire(6)
	got := make(chan int, 1)
	go func() { b.acquire(6); got <- 6 }()
	select {
	case <-got:
		t.Fatal("acquire(6) with 6 of 10 held: got through, want it to wait")
	case <-time.After(50 * time.Millisecond):
	}
	b.release(6)
	if n := <-got; n != 6 {
		t.Fatalf("got %d, want 6", n)
	}
	b.release(6)
	done := make(chan struct{})
	go func() { b.acquire(25); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("acquire(25) with nothing held: still waiting, want it let through alone")
	}
	b.release(25)
	if b.held != 0 || b.peak != 25 {
		t.Errorf("got held %d, peak %d; want 0, 25", b.held, b.peak)
	}
}
