//go:build ignore

// gen writes rules.dat, the list file this package embeds, from an upstream
// public_suffix_list.dat (github.com/publicsuffix/list, at the revision of
// Version): the licence notice, then the rules of each section between the
// section markers, without the other comments and the blank lines, which
// take more than half of the upstream file.
//
//	go run gen.go path/to/public_suffix_list.dat > rules.dat
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case header && strings.HasPrefix(line, "//"):
			// The upstream licence notice (MPL-2.0 Exhibit A) opens the file.
			fmt.Fprintln(out, line)
			continue
		case strings.Contains(line, "===BEGIN ") || strings.Contains(line, "===END "):
			fmt.Fprintln(out, line)
		case line == "" || strings.HasPrefix(line, "//"):
		default:
			rule, _, _ := strings.Cut(line, " ")
			fmt.Fprintln(out, rule)
		}
		header = false
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
