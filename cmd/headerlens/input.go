package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
// argument that is a symbolic link is followed. Inside a directory, a
// symbolic link to a file is followed, one to a directory is not (so a
// loop cannot be made), and anything that is not a regular file (a FIFO, a
// device) is skipped without being opened. An entry that cannot be read
// becomes a source that fails with its error, so that the run goes on and
// reports it. Only a missing argument is an error of the whole run.
func collectSources(args []string, stdin io.Reader) ([]source, *skipped, error) {
	var out []source
	sk := &skipped{}
	for _, a := range args {
		if a == "-" {
			out = append(out, source{name: "-", open: func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
			continue
		}
		st, err := os.Stat(a) // follows a link given as an argument
		if err != nil {
			return nil, nil, err
		}
		switch {
		case st.Mode().IsRegular():
			out = append(out, fileSource(a, st.Size()))
			continue
		case !st.IsDir():
			return nil, nil, fmt.Errorf("%s is neither a file nor a folder", a)
		}
		out = append(out, walkFolder(a, sk)...)
	}
	return out, sk, nil
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

func fileSource(path string, size int64) source {
	return source{name: path, size: size, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func failedSource(name string, err error) source {
	return source{name: name, open: func() (io.ReadCloser, error) { return nil, err }}
}

// item is one message to analyze.
type item struct {
	name string
	data []byte
	err  error
}

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

// splitMessages reads r and calls emit for each message, until emit
// returns false. A file that starts with an mbox "From " line is split into
// messages (RFC 4155): a new message starts at a line that begins with
// "From " at the start of the file or after an empty line, and that empty
// line ends the previous message rather than belonging to it. Any other
// "From " text, in the middle of a line however long or after a non-empty
// line, is message content. mboxrd quoting is undone: one ">" is removed
// from a line that begins with ">From ", ">>From " and so on. Anything else
// is one message. A message over message.MaxInputSize is an item with
// message.ErrTooLarge; the mbox reader keeps going after it.
func splitMessages(name string, r io.Reader, size int64, emit func(item) bool) {
	br := bufio.NewReaderSize(r, mboxLineBuffer)
	head, _ := br.Peek(5)
	if string(head) != "From " {
		data, err := readMessage(br, size)
		emit(item{name: name, data: data, err: err})
		return
	}
	var (
		cur       bytes.Buffer
		n         int
		tooBig    bool
		lineStart = true // the next byte read starts a line
		prevEmpty = true // the last whole line was empty (or none yet)
		lastLine  = 0    // offset in cur of the last line's start
	)
	flush := func(dropLastLine bool) bool {
		if dropLastLine && !tooBig {
			// The empty line before a "From " line is the separator's.
			cur.Truncate(lastLine)
		}
		n++
		it := item{name: fmt.Sprintf("%s#%d", name, n), data: cur.Bytes()}
		if tooBig {
			it.data, it.err = nil, message.ErrTooLarge
		}
		cur = bytes.Buffer{} // the item keeps the old buffer: no copy
		tooBig, lastLine = false, 0
		return emit(it)
	}
	appendPiece := func(p []byte) {
		if cur.Len()+len(p) > message.MaxInputSize {
			tooBig = true
		}
		if !tooBig {
			cur.Write(p)
		}
	}
	started := false
	for {
		piece, err := br.ReadSlice('\n')
		if len(piece) > 0 {
			if lineStart {
				if bytes.HasPrefix(piece, []byte("From ")) && prevEmpty {
					// RFC 4155 §2: the separator line, not part of
					// either message.
					if started && !flush(true) {
						return
					}
					started = true
					lineStart = piece[len(piece)-1] == '\n'
					prevEmpty = false
					if !lineStart {
						// A separator longer than the buffer: skip the
						// rest of it.
						if skipLine(br) != nil {
							break
						}
						lineStart = true
					}
					continue
				}
				if q := bytes.TrimLeft(piece, ">"); len(q) < len(piece) && bytes.HasPrefix(q, []byte("From ")) {
					piece = piece[1:] // mboxrd: one level of ">" quoting removed
				}
				lastLine = cur.Len()
				prevEmpty = isEmptyLine(piece)
			} else {
				prevEmpty = false
			}
			appendPiece(piece)
			lineStart = piece[len(piece)-1] == '\n'
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err != io.EOF {
				emit(item{name: name, err: err})
				return
			}
			break
		}
	}
	flush(false)
}

// isEmptyLine reports whether a whole line is empty: LF or CRLF only.
func isEmptyLine(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// skipLine reads up to and including the next LF.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}
