package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"headerlens/analyzer/message"
)

// source is one input: a file, standard input, or an mbox file, or an
// entry that could not be read (err set), reported in its place.
type source struct {
	name string
	// open returns the input; for mbox files it is split into messages.
	open func() (io.ReadCloser, error)
	// size is the file's size when known, to read it in one allocation.
	size int64
}

// skipped says what collectSources left out, for the person running it.
type skipped struct {
	entries []string // "path: why", for entries the person may not expect
	hidden  int      // hidden files and folders (names starting with ".")
	tmp     int      // Maildir tmp/ folders
}

// report writes what was skipped to w, one line per unexpected entry and
// one line for the expected ones.
func (s *skipped) report(w io.Writer) {
	for _, e := range s.entries {
		fmt.Fprintf(w, "headerlens analyze: skipped %s\n", e)
	}
	var parts []string
	if s.hidden > 0 {
		parts = append(parts, fmt.Sprintf("%d hidden file(s) or folder(s)", s.hidden))
	}
	if s.tmp > 0 {
		parts = append(parts, fmt.Sprintf("%d Maildir tmp/ folder(s), whose messages are still being delivered", s.tmp))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "headerlens analyze: skipped %s\n", strings.Join(parts, " and "))
	}
}

// collectSources expands the arguments into sources: a directory becomes
// its files (a Maildir its cur/ and new/ messages), sorted by name. An
// argument that is a symbolic link is followed, and one that is a pipe or
// a device (such as the /dev/fd/N of a shell's process substitution) is
// read as it is, since the person named it. Inside a directory, a
// symbolic link to a file is followed, one to a directory is not (so a
// loop cannot be made), and anything that is not a regular file (a FIFO, a
// device) is skipped without being opened. An argument or an entry that
// cannot be read becomes a source that fails with its error, so that the
// run goes on, reports it in its place and ends with exit code 1.
func collectSources(args []string, stdin io.Reader) ([]source, *skipped) {
	var out []source
	sk := &skipped{}
	for _, a := range args {
		if a == "-" {
			out = append(out, source{name: "-", size: -1, open: func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
			continue
		}
		st, err := os.Stat(a) // follows a link given as an argument
		switch {
		case err != nil:
			out = append(out, failedSource(a, err))
		case st.IsDir():
			out = append(out, walkFolder(a, sk)...)
		case st.Mode().IsRegular():
			out = append(out, fileSource(a, st.Size()))
		default:
			out = append(out, source{name: a, size: -1, open: func() (io.ReadCloser, error) { return os.Open(a) }})
		}
	}
	return out, sk
}

// walkFolder returns the message files below dir, sorted by path.
func walkFolder(dir string, sk *skipped) []source {
	// WalkDir does not follow a root that is a symbolic link: walk what
	// it points to, and name the files under the path the person gave.
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return []source{failedSource(dir, err)}
	}
	var out []source
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		name := dir
		if rel, rerr := filepath.Rel(root, p); rerr == nil && rel != "." {
			name = filepath.Join(dir, rel)
		}
		if err != nil {
			// An unreadable folder or entry: report it, go on.
			out = append(out, failedSource(name, err))
			if d != nil && d.IsDir() && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			sk.hidden++
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			// A Maildir's tmp/ holds messages still being delivered
			// (maildir(5)).
			if d.Name() == "tmp" {
				sk.tmp++
				return filepath.SkipDir
			}
			return nil
		}
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			switch {
			case err != nil:
				out = append(out, failedSource(name, fmt.Errorf("symbolic link: %w", err)))
				return nil
			case st.IsDir():
				sk.entries = append(sk.entries, name+": a symbolic link to a folder (not followed)")
				return nil
			case !st.Mode().IsRegular():
				sk.entries = append(sk.entries, name+": a symbolic link to something that is not a file")
				return nil
			}
			out = append(out, fileSource(name, st.Size()))
			return nil
		}
		if !mode.IsRegular() {
			sk.entries = append(sk.entries, name+": not a regular file")
			return nil
		}
		size := int64(-1)
		if info, err := d.Info(); err == nil {
			size = info.Size()
		}
		out = append(out, fileSource(name, size))
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// fileSource is a regular file, found in a folder or named as an argument.
func fileSource(path string, size int64) source {
	return source{name: path, size: size, open: func() (io.ReadCloser, error) { return openRegular(path) }}
}

func failedSource(name string, err error) source {
	return source{name: name, size: -1, open: func() (io.ReadCloser, error) { return nil, err }}
}

// openRegular opens a file that was a regular file when it was listed.
// O_NONBLOCK keeps the open from waiting forever on a FIFO that took the
// file's place since (it changes nothing for a regular file), and what is
// no longer a regular file is refused.
func openRegular(path string) (io.ReadCloser, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is no longer a regular file", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// item is one message to analyze.
type item struct {
	name string
	data []byte
	err  error
}

// weight is the memory the item holds: its buffer's capacity, which may
// exceed its length.
func (it item) weight() int { return cap(it.data) }

// readMessage reads one message of at most message.MaxInputSize bytes.
// size, when known, sizes the buffer at once.
func readMessage(r io.Reader, size int64) ([]byte, error) {
	if size < 0 || size > message.MaxInputSize {
		size = 0
	}
	var b bytes.Buffer
	b.Grow(int(size) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(r, message.MaxInputSize+1)); err != nil {
		return nil, err
	}
	if b.Len() > message.MaxInputSize {
		return nil, message.ErrTooLarge
	}
	return b.Bytes(), nil
}

// mboxLineBuffer is the size of the buffer the mbox reader reads lines
// with. A longer line is read in pieces and is still one line.
const mboxLineBuffer = 64 << 10

var fromSpace = []byte("From ")

// splitMessages reads r and calls emit for each message, until emit
// returns false. A file that starts with an mbox "From " line is split into
// messages (RFC 4155 §2): a new message starts at a line that begins with
// "From " at the start of the file or after an empty line, and that empty
// line ends the previous message rather than belonging to it. Any other
// "From " text, in the middle of a line however long or after a non-empty
// line, is message content. mboxrd quoting is undone: one ">" is removed
// from a line that begins with ">From ", ">>From " and so on, however long
// the run of ">". Anything else is one message. A message over
// message.MaxInputSize is an item with message.ErrTooLarge, and the mbox
// reader goes on with the next one. Each message is read into its own
// buffer, which the item keeps: it is not copied again.
func splitMessages(name string, r io.Reader, size int64, emit func(item) bool) {
	splitMessagesBuffer(name, r, size, mboxLineBuffer, emit)
}

// splitMessagesBuffer is splitMessages reading lines through a buffer of
// bufSize bytes (16 at least); tests make it small to cut lines in pieces.
func splitMessagesBuffer(name string, r io.Reader, size int64, bufSize int, emit func(item) bool) {
	br := bufio.NewReaderSize(r, bufSize)
	head, _ := br.Peek(len(fromSpace))
	if !bytes.Equal(head, fromSpace) {
		data, err := readMessage(br, size)
		emit(item{name: name, data: data, err: err})
		return
	}
	s := mboxSplitter{name: name, emit: emit, lineStart: true, prevEmpty: true}
	for {
		piece, err := br.ReadSlice('\n')
		if len(piece) > 0 && !s.piece(piece) {
			return
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err != io.EOF {
				emit(item{name: fmt.Sprintf("%s#%d", name, s.n+1), err: err})
				return
			}
			break
		}
	}
	s.flush(false)
}

// mboxSplitter is the state of the mbox reader between the pieces of
// input it is given: whole lines, or pieces of a line longer than its
// buffer.
type mboxSplitter struct {
	name string
	emit func(item) bool
	n    int // messages emitted so far

	cur      []byte // the message being read
	tooBig   bool   // it went over the size cap: cur was dropped
	lastLine int    // offset in cur of its last line's start

	started   bool // the first separator line was seen
	lineStart bool // the next piece starts a line
	prevEmpty bool // the last whole line was empty, or there was none yet
	inSep     bool // skipping the rest of a separator line

	// An mboxrd quoted line whose start did not fit in one piece: its
	// bytes so far are a run of ">" (quoteRun) and then quoteMatch bytes
	// of "From "; quoteAt is the offset of its first ">" in cur.
	quoting    bool
	quoteRun   bool
	quoteMatch int
	quoteAt    int
}

// piece takes the next piece of input; it returns false when emit did.
func (s *mboxSplitter) piece(p []byte) bool {
	atStart := s.lineStart
	s.lineStart = p[len(p)-1] == '\n'
	if !atStart {
		// The rest of a line longer than the buffer: never a separator.
		if s.inSep {
			s.inSep = !s.lineStart
			return true
		}
		s.prevEmpty = false
		if s.quoting {
			if r := s.scanQuote(p); r != 0 {
				s.quoting = false
				if r > 0 && !s.tooBig {
					// mboxrd: remove the line's first ">".
					copy(s.cur[s.quoteAt:], s.cur[s.quoteAt+1:])
					s.cur = s.cur[:len(s.cur)-1]
				}
			}
		}
		s.add(p)
		return true
	}
	s.quoting = false
	// RFC 4155 §2: a message starts with a "From " line, at the start of
	// the file or after the empty line that ends the previous message.
	if s.prevEmpty && bytes.HasPrefix(p, fromSpace) {
		if s.started && !s.flush(true) {
			return false
		}
		s.started = true
		s.prevEmpty = false
		s.inSep = !s.lineStart // the separator is longer than the buffer
		return true
	}
	s.lastLine = len(s.cur)
	s.prevEmpty = isEmptyLine(p)
	if p[0] == '>' {
		// mboxrd: a line matching ^>+From loses one ">".
		s.quoteRun, s.quoteMatch = true, 0
		switch s.scanQuote(p) {
		case 1:
			p = p[1:]
		case 0:
			s.quoting, s.quoteAt = true, len(s.cur)
		}
	}
	s.add(p)
	return true
}

// scanQuote goes on matching ^>+From over the next piece of a line: 1
// when the line matches, -1 when it cannot, 0 when the piece ended first.
func (s *mboxSplitter) scanQuote(p []byte) int {
	if s.quoteRun {
		p = bytes.TrimLeft(p, ">")
		if len(p) == 0 {
			return 0
		}
		s.quoteRun = false
	}
	need := fromSpace[s.quoteMatch:]
	m := min(len(need), len(p))
	if !bytes.Equal(p[:m], need[:m]) {
		return -1
	}
	s.quoteMatch += m
	if s.quoteMatch == len(fromSpace) {
		return 1
	}
	return 0
}

// maxPending is the most a message may hold while it is read: the size
// cap plus the CRLF of an empty line that may turn out to come before a
// separator, and so not to be the message's.
const maxPending = message.MaxInputSize + 2

// add appends p to the message being read. A message that goes over the
// cap is dropped at once, and the rest of it is only scanned for the next
// separator.
func (s *mboxSplitter) add(p []byte) {
	if s.tooBig {
		return
	}
	if len(s.cur)+len(p) > maxPending {
		s.tooBig, s.cur = true, nil
		return
	}
	if cap(s.cur)-len(s.cur) < len(p) {
		// Double, never past what a message may hold. The buffer may be
		// up to twice the message, and the batch weighs it so (it counts
		// capacity); growing by a quarter, as append does for large
		// slices, made reading a 60 MiB message two to four times slower.
		buf := make([]byte, len(s.cur), min(max(2*cap(s.cur), len(s.cur)+len(p), 4<<10), maxPending))
		copy(buf, s.cur)
		s.cur = buf
	}
	s.cur = append(s.cur, p...)
}

// flush emits the message read so far. dropLastLine removes its last line,
// the empty line before the next separator (RFC 4155 §2).
func (s *mboxSplitter) flush(dropLastLine bool) bool {
	if dropLastLine && !s.tooBig {
		s.cur = s.cur[:s.lastLine]
	}
	if len(s.cur) > message.MaxInputSize {
		s.tooBig = true
	}
	s.n++
	it := item{name: fmt.Sprintf("%s#%d", s.name, s.n), data: s.cur}
	if s.tooBig {
		it.data, it.err = nil, message.ErrTooLarge
	}
	// The item keeps the buffer: the next message gets a new one.
	s.cur, s.tooBig, s.lastLine = nil, false, 0
	return s.emit(it)
}

// isEmptyLine reports whether a whole line is empty: LF or CRLF only.
func isEmptyLine(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}
