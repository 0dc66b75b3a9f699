//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
	"headerlens/internal/markdown"
)

// maxReportJSON bounds the report markdown accepts, as JSON text: far above
// any report of a message within MaxInputBytes.
const maxReportJSON = 64 << 20

// registerMarkdown adds headerlens.markdown(report) to obj: it takes a
// report object as analyze returns it and returns a Promise of the report
// as Markdown (internal/markdown, the text of headerlens analyze --format
// markdown).
func registerMarkdown(global, obj safejs.Value) error {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		return markdownJS(global, args)
	})
	if err != nil {
		return err
	}
	keep = append(keep, fn)
	return obj.Set("markdown", fn.Value())
}

// markdownJS converts the report through JSON (JSON.stringify, then the
// analyzer's Report type), so it reads exactly what analyze produced.
func markdownJS(global safejs.Value, args []safejs.Value) any {
	return promise(global, func() (any, error) { return reportMarkdown(global, args) })
}

// reportMarkdown does the work of markdownJS; a panic becomes an error.
func reportMarkdown(global safejs.Value, args []safejs.Value) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("headerlens: internal error writing Markdown: %v", r)
		}
	}()
	if len(args) == 0 || args[0].Type() != safejs.TypeObject {
		return "", errors.New("headerlens: markdown needs the report object that analyze returned")
	}
	j, err := global.Get("JSON")
	if err != nil {
		return "", err
	}
	s, err := j.Call("stringify", args[0])
	if err != nil {
		return "", err
	}
	raw, err := s.String()
	if err != nil {
		return "", err
	}
	if len(raw) > maxReportJSON {
		return "", fmt.Errorf("headerlens: the report is larger than %d MiB", maxReportJSON>>20)
	}
	var r analyzer.Report
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return "", fmt.Errorf("headerlens: not a report: %w", err)
	}
	var out bytes.Buffer
	if err := markdown.Write(&out, &r); err != nil {
		return "", err
	}
	return out.String(), nil
}
