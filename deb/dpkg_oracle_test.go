package deb

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// This file checks ParseVersion and CompareVersions against the dpkg on
// PATH, with versions from the real Debian index and generated edge cases.
// dpkg is run once per check, many checks to a shell script, one script
// per CPU.

var realIndex struct {
	once  sync.Once
	paras []*Paragraph
	err   error
}

// realIndexParagraphs returns the paragraphs of the real Debian Packages
// index (AIM_DEBIAN_INDEX, or the file ../shared/bin/debian-index names
// from the repository root), read once per test binary; it skips when the
// index is unavailable.
func realIndexParagraphs(tb testing.TB) []*Paragraph {
	tb.Helper()
	realIndex.once.Do(func() { realIndex.paras, realIndex.err = loadRealIndex() })
	if realIndex.err != nil {
		tb.Skipf("real Debian index unavailable: %v", realIndex.err)
	}
	return realIndex.paras
}

func loadRealIndex() ([]*Paragraph, error) {
	path, err := debianIndexPath()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var paras []*Paragraph
	r := NewParagraphReader(f)
	for {
		p, err := r.Next()
		if err == io.EOF {
			return paras, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		paras = append(paras, p)
	}
}

// requireDpkg skips unless a working dpkg is on PATH.
func requireDpkg(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("dpkg"); err != nil {
		tb.Skip("dpkg not on PATH")
	}
	if err := exec.Command("dpkg", "--compare-versions", "1", "lt", "2").Run(); err != nil {
		tb.Skipf("dpkg --compare-versions does not work: %v", err)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// runScripts runs lines of shell, split into one script per CPU, and
// returns their outputs in line order. Each line must end its output with
// the byte 0x02, which splits the outputs.
func runScripts(t *testing.T, lines []string) []string {
	t.Helper()
	workers := min(runtime.NumCPU(), 8)
	chunk := (len(lines) + workers - 1) / workers
	outs := make([][]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(w*chunk, len(lines)), min((w+1)*chunk, len(lines))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[w], errs[w] = runScript(lines[lo:hi])
		}()
	}
	wg.Wait()
	var all []string
	for w := range workers {
		if errs[w] != nil {
			t.Fatal(errs[w])
		}
		all = append(all, outs[w]...)
	}
	if len(all) != len(lines) {
		t.Fatalf("got %d results for %d checks", len(all), len(lines))
	}
	return all
}

func runScript(lines []string) ([]string, error) {
	cmd := exec.Command("sh")
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("sh: %w", err)
	}
	res := strings.Split(out.String(), "\x02")
	return res[:len(res)-1], nil
}

// dpkgParseLine makes dpkg parse v: it compares v with the blank version,
// which dpkg answers with exit 0 without comparing, and reports dpkg's
// stderr and exit status as "stderr\x01status\n".
func dpkgParseLine(v string) string {
	return fmt.Sprintf(`dpkg --compare-versions -- %s gt '' 2>&1; printf '\001%%s\n\002' $?`, shellQuote(v))
}

// wantDpkgParse returns what dpkgParseLine prints for v, per ParseVersion.
func wantDpkgParse(v string) string {
	_, err := ParseVersion(v)
	switch e := err.(type) {
	case nil:
		return "\x010\n"
	case *VersionWarning:
		return fmt.Sprintf("dpkg: warning: version '%s' has bad syntax: %s\n\x010\n", v, e.Msg)
	case *VersionError:
		return fmt.Sprintf("dpkg: error: version '%s' has bad syntax: %s\n\x012\n", v, e.Msg)
	}
	return err.Error()
}

// dpkgCompareLine prints "<", "=" or ">" as dpkg orders a and b.
func dpkgCompareLine(a, b string) string {
	a, b = shellQuote(a), shellQuote(b)
	return fmt.Sprintf(`if dpkg --compare-versions -- %s lt %s; then echo '<'; `+
		`elif dpkg --compare-versions -- %s eq %s; then echo '='; else echo '>'; fi; printf '\002'`, a, b, a, b)
}

func TestDpkgOracle(t *testing.T) {
	requireDpkg(t)
	n := 4000
	if testing.Short() {
		n = 400
	}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := generatedVersions(rng, n)
	idx := indexVersions(t, rng, n)
	t.Run("parse", func(t *testing.T) { checkDpkgParse(t, append(slices.Clone(gen), idx...)) })
	t.Run("compare", func(t *testing.T) {
		pairs := closePairs(rng, validOnly(gen), n)
		pairs = append(pairs, adjacentPairs(validOnly(idx), n)...)
		pairs = append(pairs, randomPairs(rng, validOnly(append(gen, idx...)), n/4)...)
		checkDpkgCompare(t, pairs)
	})
}

func checkDpkgParse(t *testing.T, versions []string) {
	lines := make([]string, len(versions))
	for i, v := range versions {
		lines[i] = dpkgParseLine(v)
	}
	got := runScripts(t, lines)
	bad, rejected := 0, 0
	for i, v := range versions {
		want := wantDpkgParse(v)
		if strings.HasSuffix(want, "\x012\n") {
			rejected++
		}
		if got[i] != want && bad < 20 {
			bad++
			t.Errorf("version %q: dpkg says %q, ParseVersion %q", v, got[i], want)
		}
	}
	t.Logf("%d versions parsed as dpkg does (%d rejected)", len(versions), rejected)
}

func checkDpkgCompare(t *testing.T, pairs [][2]string) {
	lines := make([]string, len(pairs))
	for i, p := range pairs {
		lines[i] = dpkgCompareLine(p[0], p[1])
	}
	got := runScripts(t, lines)
	bad := 0
	for i, p := range pairs {
		a, _ := ParseVersionLax(p[0])
		b, _ := ParseVersionLax(p[1])
		want := [...]string{"<\n", "=\n", ">\n"}[CompareVersions(a, b)+1]
		if got[i] != want && bad < 20 {
			bad++
			t.Errorf("%q vs %q: dpkg says %q, CompareVersions %q", p[0], p[1], got[i], want)
		}
	}
	t.Logf("%d pairs compared as dpkg does", len(pairs))
}

// generatedVersions returns n random version strings over digits, a few
// letters and "~.+-:", with epochs, leading zeros, blanks and bytes above
// 127 now and then; many of them are invalid.
func generatedVersions(rng *rand.Rand, n int) []string {
	const alphabet = "0123456789000aAzZ~~..++--::"
	odd := []string{"\x80", "\xe9", "\xff", "_", "!", " ", "\t", "@", "/"}
	out := make([]string, 0, n)
	for range n {
		var b strings.Builder
		switch rng.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "%d:", rng.IntN(12))
		case 1:
			b.WriteString([]string{"+1:", "-0:", "00:", "2147483647:", "2147483648:", "-1:", " 1:", ":"}[rng.IntN(8)])
		}
		for range 1 + rng.IntN(9) {
			if rng.IntN(30) == 0 {
				b.WriteString(odd[rng.IntN(len(odd))])
			} else {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
		}
		out = append(out, b.String())
	}
	return out
}

// indexVersions returns up to n distinct versions of the real index,
// sorted, or none when the index is unavailable.
func indexVersions(t *testing.T, rng *rand.Rand, n int) []string {
	var all []string
	t.Run("index", func(t *testing.T) {
		seen := map[string]bool{}
		for _, p := range realIndexParagraphs(t) {
			if v := p.Get("Version"); !seen[v] {
				seen[v] = true
				all = append(all, v)
			}
		}
	})
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

func validOnly(vs []string) []string {
	var out []string
	for _, v := range vs {
		if _, err := ParseVersionLax(v); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// closePairs pairs each of n versions with a copy changed in one byte, so
// that comparisons are decided late in the strings.
func closePairs(rng *rand.Rand, vs []string, n int) [][2]string {
	const alphabet = "0123456789aZ~.+-:"
	var out [][2]string
	for i := 0; len(vs) > 0 && len(out) < n && i < 10*n; i++ {
		base := vs[rng.IntN(len(vs))]
		v := []byte(base)
		at := rng.IntN(len(v) + 1)
		c := alphabet[rng.IntN(len(alphabet))]
		switch {
		case at == len(v) || rng.IntN(3) == 0:
			v = slices.Insert(v, at, c)
		case rng.IntN(2) == 0:
			v[at] = c
		default:
			v = slices.Delete(v, at, at+1)
		}
		if _, err := ParseVersionLax(string(v)); err == nil {
			out = append(out, [2]string{base, string(v)})
		}
	}
	return out
}

// adjacentPairs sorts vs and pairs neighbours, the closest calls.
func adjacentPairs(vs []string, n int) [][2]string {
	parsed := make([]Version, len(vs))
	for i, v := range vs {
		parsed[i], _ = ParseVersionLax(v)
	}
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return CompareVersions(parsed[i], parsed[j]) })
	var out [][2]string
	for k := 1; k < len(idx) && len(out) < n; k++ {
		out = append(out, [2]string{vs[idx[k-1]], vs[idx[k]]})
	}
	return out
}

func randomPairs(rng *rand.Rand, vs []string, n int) [][2]string {
	var out [][2]string
	for range n {
		if len(vs) > 0 {
			out = append(out, [2]string{vs[rng.IntN(len(vs))], vs[rng.IntN(len(vs))]})
		}
	}
	return out
}
