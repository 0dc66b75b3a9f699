//go:build js && wasm

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/hack-pad/safejs"
)

// maxEncodedText bounds the bytes handed to TextDecoder for one encoded
// word or field.
const maxEncodedText = 1 << 20

// The analyzer decodes RFC 2047 words in charsets other than UTF-8 and
// ISO-8859-1 through message.CharsetReader. The command line links
// go-message/charset for that; here the browser's own TextDecoder (WHATWG
// Encoding Standard: GB2312/GBK, Big5, Shift_JIS, ISO-2022-JP, EUC-KR,
// KOI8-R, windows-125x, ISO-8859-x...) does it, which keeps about 1 MiB of
// conversion tables out of the download.
func init() {
	message.CharsetReader = textDecoderReader
}

// textDecoderReader converts r from charset to UTF-8 with TextDecoder. An
// unknown label makes the TextDecoder constructor throw, which becomes an
// error (the word then stays encoded).
func textDecoderReader(charset string, r io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxEncodedText))
	if err != nil {
		return nil, err
	}
	ctor, err := safejs.Global().Get("TextDecoder")
	if err != nil {
		return nil, err
	}
	dec, err := ctor.New(charset)
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", charset, err)
	}
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	arr, err := u8.New(len(data))
	if err != nil {
		return nil, err
	}
	if _, err := safejs.CopyBytesToJS(arr, data); err != nil {
		return nil, err
	}
	out, err := dec.Call("decode", arr)
	if err != nil {
		return nil, err
	}
	s, err := out.String()
	if err != nil {
		return nil, err
	}
	return strings.NewReader(s), nil
}
