// Command headerlens analyzes email headers from the command line and serves
// the headerlens web site with its companion API.
//
// Usage:
//
//	headerlens analyze [flags] [FILE|DIR|-]...   analyze messages, print a report
//	headerlens spf [flags]                        evaluate SPF for one identity
//	headerlens domain [flags] DOMAIN              check a domain's mail protection
//	headerlens serve [flags]                      serve the site and the companion API
//	headerlens version                            print the version
//
// Exit codes:
//
//	0  success: every input was analyzed (whatever the verdicts are)
//	1  at least one input could not be analyzed, or serving failed
//	2  usage error: unknown command, bad flag or bad flag value
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/emersion/go-message/charset" // RFC 2047 words in every IANA charset

	"headerlens/analyzer"
)

// Exit codes, documented in the package comment and the README.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `headerlens: email header analyzer

Usage:
  headerlens analyze [flags] [FILE|DIR|-]...  analyze messages (.eml, mbox, Maildir)
  headerlens spf [flags]                       evaluate SPF for one identity
  headerlens domain [flags] DOMAIN             check a domain's mail protection (SPF, DMARC, DKIM...)
  headerlens serve [flags]                     serve the web site and companion API
  headerlens version                           print the version

Run "headerlens COMMAND -h" for the flags of a command.
`

// run dispatches to a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return runAnalyze(ctx, args[1:], stdin, stdout, stderr)
	case "spf":
		return runSPF(ctx, args[1:], stdout, stderr)
	case "domain":
		return runDomain(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "headerlens", analyzer.Version)
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "headerlens: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

// newFlagSet returns the flag set of a subcommand: errors and -h print to
// stderr, usage first, then the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage+"\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. When ok is false the command ends with
// code: exitOK after -h, exitUsage after a bad flag.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}
