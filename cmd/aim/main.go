// Command aim is an application installer for Debian-style packages.
//
// This file holds the command dispatcher and the global flags; each command
// lives in a file of its own, and commands.go lists them all.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"aim/install/aimconf"
	// Maps aim's code in one system call before the other
	// packages initialise, instead of a page fault at a time (issue 18).
	_ "aim/internal/prefault"

	"github.com/spf13/pflag"
)

// globals holds the flags every command accepts, before or after its name.
type globals struct {
	root       string
	yes        bool
	json       bool
	quiet      bool
	noProgress bool
	// viaDaemon sends install, remove and upgrade to a running aim daemon
	// on bus (an address; "" means the session bus, else the system bus).
	viaDaemon bool
	bus       string
	// conf is aim.conf under root, read once by settings.
	conf *aimconf.Settings
}

// env is what a command needs from the outside world; tests replace it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	g      *globals
	// onProgress, when set, is also told the state and progress of the
	// engine's task (the graphical front end's progress window).
	onProgress func(state string, progress float64)
}

// command is one entry of the command table. run gets the arguments left
// after flags were parsed by the FlagSet that setup filled.
type command struct {
	name    string
	summary string
	// setup adds the command's own flags and returns the function that runs it.
	setup func(fs *pflag.FlagSet) func(e *env, args []string) error
}

// exitError carries an exit status other than 1 up to main, with an
// optional message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// globalValueFlags lists global flags that take a value, so the command
// name can be found among the arguments before flags are parsed.
var globalValueFlags = map[string]bool{"--root": true, "--bus": true}

func addGlobals(fs *pflag.FlagSet, g *globals) {
	fs.StringVar(&g.root, "root", "/", "operate on the system below `DIR`")
	fs.BoolVarP(&g.yes, "yes", "y", false, "answer yes to questions")
	fs.BoolVar(&g.json, "json", false, "print machine-readable JSON on stdout")
	fs.BoolVarP(&g.quiet, "quiet", "q", false, "print less")
	fs.BoolVar(&g.noProgress, "no-progress", false, "never draw progress bars")
	fs.BoolVar(&g.viaDaemon, "via-daemon", false, "let a running aim daemon do open, install, remove and upgrade (automatic for an ordinary user and a root they cannot write)")
	fs.StringVar(&g.bus, "bus", "", "the D-Bus bus at `ADDRESS` (aim daemon, --via-daemon)")
}

// splitCommand finds the command name among args and returns it with the
// remaining arguments in their order.
func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if globalValueFlags[a] {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			continue
		}
		rest := append(append([]string{}, args[:i]...), args[i+1:]...)
		return a, rest
	}
	return "", args
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name, rest := splitCommand(args)
	g := &globals{}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, g: g}
	if name == "help" {
		if topic, more := splitCommand(rest); topic != "" {
			verb, _ := splitCommand(more)
			return exitCode(stderr, helpFor(stdout, topic, verb))
		}
	}
	if name == "" || name == "help" {
		for _, a := range rest {
			switch a {
			case "--version":
				fmt.Fprintln(stdout, "aim", version)
				return 0
			case "-h", "--help":
				usage(stdout)
				return 0
			}
		}
		usage(stdout)
		if name == "" && len(rest) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "aim: unknown command %q (see aim help)\n", name)
		return 2
	}
	fs := pflag.NewFlagSet("aim "+name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help is printed below, on stdout
	addGlobals(fs, g)
	runFn := throughDaemon(name, fs, c.setup(fs))
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitCode(stderr, helpFor(stdout, name, helpVerb(name, rest)))
		}
		fmt.Fprintf(stderr, "aim: %v\n", err)
		return 2
	}
	err := runFn(e, fs.Args())
	var hr *helpRequest
	if errors.As(err, &hr) {
		err = helpFor(stdout, hr.name, hr.verb)
	}
	return exitCode(stderr, err)
}

// exitCode prints err as "aim: MESSAGE" on stderr and returns the exit
// status: 0 without an error, an *exitError's code, else 1.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "aim: %s\n", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "aim: %v\n", err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: aim [global options] COMMAND [ARGS...]")
	fmt.Fprintln(w, "       aim help COMMAND [VERB]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands()))
	for n := range commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if hiddenCommand(n) {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", n, commands()[n].summary)
	}
	fmt.Fprintln(w, "\nglobal options: --root DIR, -y/--yes, --json, -q/--quiet, --no-progress, --via-daemon, --bus ADDRESS")
	fmt.Fprintln(w, "\naim help COMMAND, aim COMMAND --help: what a command does, its options and examples")
}

// version is set at build time with -ldflags "-X main.version=..."; it is
// a Debian version, since maintainer scripts see it as DPKG_RUNNING_VERSION.
var version = "0.1~dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
