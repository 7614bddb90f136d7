package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// initLine is one line of GODEBUG=inittrace=1: package, bytes, allocations.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// initTrace runs aim version compare with GODEBUG=inittrace=1 and
// returns the init lines, in the order Go initialised the packages
// (each the package, its bytes and allocations), and the whole output.
func initTrace(t *testing.T) ([][]string, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "version", "compare", "1", "lt", "2")
	cmd.Env = append(os.Environ(), "AIM_TEST_ARGV=1", "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aim version compare: %v\n%s", err, out)
	}
	var inits [][]string
	for _, line := range strings.Split(string(out), "\n") {
		if m := initLine.FindStringSubmatch(line); m != nil {
			inits = append(inits, m[1:])
		}
	}
	return inits, string(out)
}

// TestStartupInitIsLight runs aim version compare with GODEBUG=inittrace=1
// and checks that no package of aim's own allocates more than a few KiB at
// start-up: templates, regular expressions and tables that only some
// commands use are built on first use (issue 18), since every command pays
// for every package's initialisation.
func TestStartupInitIsLight(t *testing.T) {
	inits, out := initTrace(t)
	const limit = 4096
	seen := 0
	for _, m := range inits {
		// aim/cmd/aim is main here, with the test files' own globals.
		if !strings.HasPrefix(m[0], "aim/") || m[0] == "aim/cmd/aim" {
			continue
		}
		seen++
		if n, _ := strconv.Atoi(m[1]); n > limit {
			t.Errorf("package %s allocates %d bytes (%s allocations) at start-up, more than %d: build it on first use", m[0], n, m[2], limit)
		}
	}
	if seen == 0 {
		t.Fatalf("no init lines of aim's packages in:\n%s", out)
	}
}

// TestPrefaultInitialisesFirst checks that aim/internal/prefault is the
// first package Go initialises after the runtime, so that its populate
// spares the page faults of every other package's initialisation: it
// must keep importing nothing that others import.
func TestPrefaultInitialisesFirst(t *testing.T) {
	inits, out := initTrace(t)
	for i, m := range inits {
		if m[0] == "runtime" {
			if i+1 >= len(inits) || inits[i+1][0] != "aim/internal/prefault" {
				t.Fatalf("after the runtime, Go initialised %v, want aim/internal/prefault first", inits[i+1:min(i+4, len(inits))])
			}
			return
		}
	}
	t.Fatalf("no runtime init line in:\n%s", out)
}

// TestNoInitFunctions checks that no file of this command declares an
// init function, and that every command and verb is in the table: the
// table is built on first use in commands.go, since init functions run in
// every aim process, each in another part of the binary that start-up
// then has to fault in (issue 18).
func TestNoInitFunctions(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				t.Errorf("%s: func init: add to the table in commands.go, or build it on first use", fset.Position(fn.Pos()))
			}
		}
	}
	for _, name := range []string{"install", "show", "version", "deb", "key", "repo", "source", docsCommand} {
		if commands()[name] == nil {
			t.Errorf("command %s missing from the table", name)
		}
	}
	for group, verbs := range map[string][]string{"deb": {"build", "sign", "verify"}, "key": {"add", "generate", "show"},
		"repo": {"publish", "serve"}, "source": {"enable"}, "version": {"compare", "sort"}} {
		for _, v := range verbs {
			if groupVerbs()[group][v] == nil {
				t.Errorf("verb %s %s missing from the table", group, v)
			}
		}
	}
}
