package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const demoDir = "../../testdata/demo/hello"

// aim runs the command line and returns stdout, stderr and the status.
func aim(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// aimOK runs the command line and fails the test unless it succeeds.
func aimOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := aim(t, args...)
	if code != 0 {
		t.Fatalf("aim %s: status %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// dpkgDebOut runs dpkg-deb, skipping the test where it is missing.
func dpkgDebOut(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	cmd := exec.Command("dpkg-deb", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// copyDemo copies the demo package tree, modes included, below a
// temporary directory and returns the copy.
func copyDemo(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "hello")
	err := filepath.WalkDir(demoDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(demoDir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			err = os.Mkdir(target, 0755)
		} else {
			var b []byte
			if b, err = os.ReadFile(p); err == nil {
				err = os.WriteFile(target, b, 0644)
			}
		}
		if err != nil {
			return err
		}
		return os.Chmod(target, fi.Mode().Perm()&^0022)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// buildDemo builds the demo package into a temporary directory.
func buildDemo(t *testing.T, extra ...string) string {
	t.Helper()
	outDir := t.TempDir()
	args := append(append([]string{"deb", "build"}, extra...), copyDemo(t), outDir)
	aimOK(t, args...)
	return filepath.Join(outDir, "hello_1.0.0-1_all.deb")
}

func TestDebInfoMatchesDpkgDeb(t *testing.T) {
	for _, z := range []string{"xz", "gzip", "zstd", "none"} {
		t.Run(z, func(t *testing.T) {
			file := buildDemo(t, "-Z", z)
			if got, want := aimOK(t, "deb", "info", file), dpkgDebOut(t, "-I", file); got != want {
				t.Errorf("aim deb info:\n%s\ndpkg-deb -I:\n%s", got, want)
			}
			for _, fields := range [][]string{{"Package"}, {"description"}, {"Nope"}, {"Package", "Version", "Nope", "maemo-icon-26"}} {
				args := append([]string{"deb", "info", file}, fields...)
				got := aimOK(t, args...)
				want := dpkgDebOut(t, append([]string{"-f", file}, fields...)...)
				if got != want {
					t.Errorf("aim deb info %s:\n%q\ndpkg-deb -f:\n%q", fields, got, want)
				}
			}
			if got, want := aimOK(t, "deb", "contents", file), dpkgDebOut(t, "-c", file); got != want {
				t.Errorf("aim deb contents:\n%s\ndpkg-deb -c:\n%s", got, want)
			}
		})
	}
}

func TestDebInfoOfDpkgDebPackage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hello.deb")
	dpkgDebOut(t, "--root-owner-group", "--build", copyDemo(t), file)
	if got, want := aimOK(t, "deb", "info", file), dpkgDebOut(t, "-I", file); got != want {
		t.Errorf("aim deb info:\n%s\ndpkg-deb -I:\n%s", got, want)
	}
	if got, want := aimOK(t, "deb", "contents", file), dpkgDebOut(t, "-c", file); got != want {
		t.Errorf("aim deb contents:\n%s\ndpkg-deb -c:\n%s", got, want)
	}
}

func TestDebExtractMatchesDpkgDeb(t *testing.T) {
	file := buildDemo(t)
	theirs := filepath.Join(t.TempDir(), "dpkg")
	dpkgDebOut(t, "-x", file, theirs)
	ours := filepath.Join(t.TempDir(), "aim") // created by extract, like dpkg-deb -x
	if out := aimOK(t, "deb", "extract", file, ours); out != "" {
		t.Errorf("extract printed %q", out)
	}
	var want, got []string
	for _, d := range []struct {
		root string
		list *[]string
	}{{theirs, &want}, {ours, &got}} {
		filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
			fi, _ := e.Info()
			rel, _ := filepath.Rel(d.root, p)
			line := rel + " " + fi.Mode().String()
			if fi.Mode().IsRegular() {
				b, _ := os.ReadFile(p)
				line += " " + string(b) + " " + fi.ModTime().String()
			}
			*d.list = append(*d.list, line)
			return nil
		})
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("aim deb extract:\n%s\ndpkg-deb -x:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDebBuildOutputs(t *testing.T) {
	src := copyDemo(t)
	out := aimOK(t, "deb", "build", src)
	if want := "building package 'hello' in '" + src + ".deb'.\n"; out != want {
		t.Errorf("build printed %q, want %q", out, want)
	}
	named := filepath.Join(t.TempDir(), "x.deb")
	if out := aimOK(t, "-q", "deb", "build", "-Z", "zstd", src, named); out != "" {
		t.Errorf("-q printed %q", out)
	}
	b, _ := os.ReadFile(named)
	if !bytes.Contains(b, []byte("control.tar.zst")) || !bytes.Contains(b, []byte("data.tar.zst")) {
		t.Error("-Z zstd not applied")
	}
	var res debBuildResult
	if err := json.Unmarshal([]byte(aimOK(t, "deb", "build", "--json", src, t.TempDir())), &res); err != nil {
		t.Fatal(err)
	}
	if res.Package != "hello" || res.Version != "1.0.0-1" || res.Architecture != "all" || res.Size <= 0 ||
		filepath.Base(res.File) != "hello_1.0.0-1_all.deb" {
		t.Errorf("--json: %+v", res)
	}
}

func TestDebBuildSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	a, b := buildDemo(t), buildDemo(t)
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) {
		t.Error("two builds of copies of the demo tree differ under SOURCE_DATE_EPOCH")
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, errs, code := aim(t, "deb", "build", copyDemo(t), t.TempDir()); code != 1 || !strings.Contains(errs, "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: status %d %q", code, errs)
	}
}

func TestDebJSON(t *testing.T) {
	file := buildDemo(t)
	var info struct {
		Format  string            `json:"format"`
		Members []debMemberInfo   `json:"members"`
		Control map[string]string `json:"control"`
	}
	if err := json.Unmarshal([]byte(aimOK(t, "--json", "deb", "info", file)), &info); err != nil {
		t.Fatal(err)
	}
	if info.Format != "2.0" || info.Control["Maemo-Display-Name"] != "Hello World" || len(info.Members) != 5 {
		t.Errorf("info --json: %+v", info)
	}
	var entries []debContentEntry
	if err := json.Unmarshal([]byte(aimOK(t, "deb", "contents", file, "--json")), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Path != "./" || entries[0].Type != "dir" || entries[0].Mode != "0755" {
		t.Errorf("contents --json: %+v", entries)
	}
	var extracted []debExtractEntry
	if err := json.Unmarshal([]byte(aimOK(t, "--json", "deb", "extract", file, t.TempDir())), &extracted); err != nil {
		t.Fatal(err)
	}
	if len(extracted) != len(entries) {
		t.Errorf("extract --json: %d entries, contents: %d", len(extracted), len(entries))
	}
}

func TestDebErrors(t *testing.T) {
	notDeb := filepath.Join(t.TempDir(), "x.deb")
	os.WriteFile(notDeb, []byte("not a package"), 0644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"deb"}, 2, "missing verb"},
		{[]string{"deb", "frob"}, 2, "unknown verb"},
		{[]string{"deb", "build"}, 2, "usage: aim deb build"},
		{[]string{"deb", "info"}, 2, "usage: aim deb info"},
		{[]string{"deb", "contents"}, 2, "usage: aim deb contents"},
		{[]string{"deb", "extract", notDeb}, 2, "usage: aim deb extract"},
		{[]string{"deb", "build", "/nonexistent-dir"}, 1, "not a directory"},
		{[]string{"deb", "build", "-Z", "bzip2", demoDir}, 1, "unknown compression"},
		{[]string{"deb", "info", notDeb}, 1, "not a debian format archive"},
		{[]string{"deb", "contents", "/nonexistent.deb"}, 1, "no such file"},
		{[]string{"deb", "build", t.TempDir()}, 1, "control directory"},
	}
	for _, tt := range tests {
		_, errs, code := aim(t, tt.args...)
		if code != tt.code || !strings.HasPrefix(errs, "aim: ") || !strings.Contains(errs, tt.want) {
			t.Errorf("aim %s: status %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, errs, tt.code, tt.want)
		}
	}
}

func TestDebBuildWarnings(t *testing.T) {
	src := copyDemo(t)
	control := filepath.Join(src, "DEBIAN", "control")
	b, _ := os.ReadFile(control)
	os.WriteFile(control, bytes.Replace(b, []byte("Maintainer: Aim Developers <aim@example.org>\n"), nil, 1), 0644)
	_, errs, code := aim(t, "deb", "build", src, t.TempDir())
	if code != 0 || errs != "aim: warning: missing 'Maintainer' field\n" {
		t.Errorf("status %d, stderr %q", code, errs)
	}
}

func TestDebInfoGolden(t *testing.T) {
	for _, z := range []string{"xz", "zstd"} {
		dir := filepath.Join("..", "..", "deb", "testdata", "pkgs")
		want, err := os.ReadFile(filepath.Join(dir, "hello."+z+".info"))
		if err != nil {
			t.Fatal(err)
		}
		if got := aimOK(t, "deb", "info", filepath.Join(dir, "hello_1.0.0-1_all."+z+".deb")); got != string(want) {
			t.Errorf("aim deb info:\n%s\nwant (dpkg-deb -I):\n%s", got, want)
		}
	}
}

// TestDebBuildIntoDirRefusesPathVersions builds into a directory, where
// the output is named from the control data: a Version that dpkg only
// warns about and that holds "/" or ".." must not choose the path.
func TestDebBuildIntoDirRefusesPathVersions(t *testing.T) {
	for _, v := range []string{"1.0/../../escaped", "1/2", "1.0-1/../x"} {
		src := copyDemo(t)
		control := filepath.Join(src, "DEBIAN", "control")
		b, _ := os.ReadFile(control)
		os.WriteFile(control, bytes.Replace(b, []byte("Version: 1.0.0-1\n"), []byte("Version: "+v+"\n"), 1), 0644)
		base := t.TempDir()
		out := filepath.Join(base, "a", "b")
		os.MkdirAll(filepath.Join(out, "hello_1"), 0o755)
		_, errs, code := aim(t, "deb", "build", src, out)
		if code != 1 || !strings.Contains(errs, "aim: no file name for hello") {
			t.Errorf("version %q: status %d, stderr %q", v, code, errs)
		}
		var written []string
		filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				written = append(written, p)
			}
			return nil
		})
		if len(written) != 0 {
			t.Errorf("version %q: wrote %v", v, written)
		}
	}
}
