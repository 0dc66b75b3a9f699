//go:build js && wasm

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hack-pad/safejs"

	"headerlens/analyzer"
	"headerlens/analyzer/domaincheck"
	"headerlens/internal/jsonx"
	"headerlens/internal/markdown"
)

// maxReportJSON bounds the report markdown accepts, as JSON text: far above
// any report of a message within MaxInputBytes.
const maxReportJSON = 64 << 20

// registerMarkdown adds to obj headerlens.markdown(report), which takes a
// report object as analyze returns it and returns a Promise of the report
// as Markdown (internal/markdown, the text of headerlens analyze --format
// markdown), and headerlens.domainMarkdown(report), the same for a report
// of checkDomain (headerlens domain --format markdown).
func registerMarkdown(global, obj safejs.Value) error {
	for name, write := range map[string]func(io.Writer, []byte) error{
		"markdown": func(w io.Writer, raw []byte) error {
			var r analyzer.Report
			if err := jsonx.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("headerlens: not a report: %w", err)
			}
			return markdown.Write(w, &r)
		},
		"domainMarkdown": func(w io.Writer, raw []byte) error {
			var r domaincheck.Report
			if err := jsonx.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("headerlens: not a domain report: %w", err)
			}
			return markdown.WriteDomain(w, &r)
		},
	} {
		fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			return promise(global, func() (any, error) { return reportMarkdown(global, args, write) })
		})
		if err != nil {
			return err
		}
		keep = append(keep, fn)
		if err := obj.Set(name, fn.Value()); err != nil {
			return err
		}
	}
	return nil
}

// reportMarkdown converts the report object through JSON (JSON.stringify,
// then the Go report type, in write), so it reads exactly what analyze or
// checkDomain produced. A panic becomes an error.
func reportMarkdown(global safejs.Value, args []safejs.Value, write func(io.Writer, []byte) error) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("headerlens: internal error writing Markdown: %v", r)
		}
	}()
	if len(args) == 0 || args[0].Type() != safejs.TypeObject {
		return "", errors.New("headerlens: markdown needs the report object that analyze or checkDomain returned")
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
	var out bytes.Buffer
	if err := write(&out, []byte(raw)); err != nil {
		return "", err
	}
	return out.String(), nil
}
