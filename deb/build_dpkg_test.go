package deb

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file check aim's packages against dpkg-deb, the
// reference implementation; they are skipped where dpkg-deb is missing.

const testEpoch = 1650000000 // SOURCE_DATE_EPOCH of these tests, before the trees' mtimes

func needDpkgDeb(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
}

// dpkgDeb runs dpkg-deb with SOURCE_DATE_EPOCH set and returns its
// standard output.
func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("dpkg-deb", args...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", testEpoch), "TZ=UTC", "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0644); err != nil {
		t.Fatal(err)
	}
	return p
}

// listLine is one line of dpkg-deb -c, reduced to what is compared.
type listLine struct{ mode, owner, size, name string }

// parseListing splits dpkg-deb -c output ("MODE OWNER SIZE DATE TIME NAME").
func parseListing(t *testing.T, out string) []listLine {
	t.Helper()
	var lines []listLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("bad listing line %q", l)
		}
		name := strings.Join(strings.SplitN(l, " ", -1)[len(strings.SplitN(l, " ", -1))-len(f[5:]):], " ")
		lines = append(lines, listLine{f[0], f[1], f[2], name})
	}
	return lines
}

// lsMode renders a tar entry's type and mode as tar -tv does.
func lsMode(e debEntry) string {
	b := []byte(map[byte]string{'5': "d", '2': "l", '1': "h", '6': "p"}[e.Type])
	if len(b) == 0 {
		b = []byte{'-'}
	}
	for i, c := range "rwxrwxrwx" {
		if e.Mode&(1<<(8-i)) != 0 {
			b = append(b, byte(c))
		} else {
			b = append(b, '-')
		}
	}
	if e.Mode&04000 != 0 {
		b[3] = 's'
	}
	if e.Mode&01000 != 0 {
		b[9] = 't'
	}
	return string(b)
}

// wantListing renders aim's view of a package like dpkg-deb -c.
func wantListing(entries []debEntry) []listLine {
	var out []listLine
	for _, e := range entries {
		name := e.Name
		switch e.Type {
		case '2':
			name += " -> " + e.Link
		case '1':
			name += " link to " + e.Link
		}
		out = append(out, listLine{lsMode(e), e.Uname + "/" + e.Gname, fmt.Sprint(e.Size), name})
	}
	return out
}

func TestDpkgDebReadsAimPackages(t *testing.T) {
	needDpkgDeb(t)
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	for _, c := range allCompressions {
		t.Run(string(c), func(t *testing.T) {
			pkg := buildBytes(t, dir, BuildOptions{Compression: c, SourceDateEpoch: epoch(testEpoch)})
			file := writeTemp(t, "sample.deb", pkg)
			ar, entries := readEntries(t, pkg)
			size := ar.Control().Control.Get("Installed-Size")
			got := dpkgDeb(t, "-f", file, "Package", "Version", "Architecture", "Installed-Size", "Maemo-Display-Name")
			want := "Package: sample\nVersion: 1.2-3\nArchitecture: all\nInstalled-Size: " + size + "\nMaemo-Display-Name: Sample\n"
			if got != want {
				t.Errorf("dpkg-deb -f:\n%s\nwant\n%s", got, want)
			}
			if got, want := parseListing(t, dpkgDeb(t, "-c", file)), wantListing(entries); !reflect.DeepEqual(got, want) {
				t.Errorf("dpkg-deb -c:\n%v\nwant\n%v", got, want)
			}
			md5 := dpkgDeb(t, "-I", file, "md5sums")
			if m, _ := ar.Control().Member("md5sums"); md5 != string(m.Data) {
				t.Errorf("dpkg-deb -I md5sums = %q, want %q", md5, m.Data)
			}
			out := filepath.Join(t.TempDir(), "x")
			dpkgDeb(t, "-x", file, out)
			compareTrees(t, dir, out, time.Unix(testEpoch, 0))
			check := exec.Command("md5sum", "--check", "--quiet")
			check.Dir, check.Stdin = out, strings.NewReader(md5)
			if b, err := check.CombinedOutput(); err != nil {
				t.Errorf("md5sum --check: %v\n%s", err, b)
			}
		})
	}
}

// compareTrees checks that got (as extracted) holds what the package
// tree src holds outside DEBIAN, with mtimes clamped to clamp.
func compareTrees(t *testing.T, src, got string, clamp time.Time) {
	t.Helper()
	seen := map[string]bool{}
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(src, p)
		if rel == "DEBIAN" {
			return fs.SkipDir
		}
		seen[rel] = true
		if rel != "." {
			compareFile(t, rel, p, filepath.Join(got, rel), clamp)
		}
		return nil
	})
	filepath.WalkDir(got, func(p string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(got, p); !seen[rel] {
			t.Errorf("extra file %s", rel)
		}
		return nil
	})
	a, _ := os.Stat(filepath.Join(got, "usr/share/doc/sample/README"))
	b, _ := os.Stat(filepath.Join(got, "usr/share/doc/sample/README.hard"))
	if a != nil && b != nil && !os.SameFile(a, b) {
		t.Error("hard link extracted as two files")
	}
}

func compareFile(t *testing.T, rel, want, got string, clamp time.Time) {
	t.Helper()
	w, err1 := os.Lstat(want)
	g, err2 := os.Lstat(got)
	if err1 != nil || err2 != nil {
		t.Errorf("%s: %v %v", rel, err1, err2)
		return
	}
	if w.Mode() != g.Mode() {
		t.Errorf("%s: mode %v, want %v", rel, g.Mode(), w.Mode())
	}
	mt := w.ModTime()
	if mt.After(clamp) {
		mt = clamp
	}
	// GNU tar creates symlinks last, after it restored directory times,
	// so dpkg-deb -x leaves a directory holding a symlink with the time
	// of extraction: directory times are not compared.
	if !w.IsDir() && !g.ModTime().Equal(mt) {
		t.Errorf("%s: mtime %v, want %v", rel, g.ModTime(), mt)
	}
	if st, ok := g.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 && (st.Uid != 0 || st.Gid != 0) {
		t.Errorf("%s: owner %d:%d, want root", rel, st.Uid, st.Gid)
	}
	switch {
	case w.Mode().IsRegular():
		a, _ := os.ReadFile(want)
		b, _ := os.ReadFile(got)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: contents differ", rel)
		}
	case w.Mode()&fs.ModeSymlink != 0:
		a, _ := os.Readlink(want)
		b, _ := os.Readlink(got)
		if a != b {
			t.Errorf("%s: link to %q, want %q", rel, b, a)
		}
	}
}

func TestAimReadsDpkgDebPackages(t *testing.T) {
	needDpkgDeb(t)
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	_, want := readEntries(t, buildBytes(t, dir, BuildOptions{SourceDateEpoch: epoch(testEpoch)}))
	control, _ := os.ReadFile(filepath.Join(dir, "DEBIAN/control"))
	for _, c := range allCompressions {
		for _, owner := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/root-owner-group=%v", c, owner), func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "p.deb")
				args := []string{"-Z" + string(c), "--build", dir, file}
				if owner {
					args = append([]string{"--root-owner-group"}, args...)
				}
				dpkgDeb(t, args...)
				pkg, _ := os.ReadFile(file)
				ar, got := readEntries(t, pkg)
				if m, _ := ar.Control().Member("control"); string(m.Data) != string(control) {
					t.Errorf("control = %q", m.Data)
				}
				if p := ar.Control().Control; p.Get("Maemo-Display-Name") != "Sample" || p.Get("Version") != "1.2-3" {
					t.Errorf("fields: %v", p.Fields)
				}
				if owner || os.Geteuid() == 0 {
					if !reflect.DeepEqual(got, want) {
						t.Errorf("entries differ from aim's build:\n%v\nwant\n%v", got, want)
					}
				}
			})
		}
	}
}

func TestSameBytesAsDpkgDeb(t *testing.T) {
	needDpkgDeb(t)
	files := withFile(sampleFiles, controlFile(sampleControl+"Installed-Size: 120\n"))
	files = withFile(files, treeFile{name: "DEBIAN/md5sums", body: "d41d8cd98f00b204e9800998ecf8427e  usr/bin-x/file\n", mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	file := filepath.Join(t.TempDir(), "p.deb")
	dpkgDeb(t, "--root-owner-group", "-Znone", "--build", dir, file)
	theirs, _ := os.ReadFile(file)
	ours := buildBytes(t, dir, BuildOptions{Compression: None, SourceDateEpoch: epoch(testEpoch)})
	if !bytes.Equal(ours, theirs) {
		t.Errorf("aim -Znone differs from dpkg-deb -Znone (%d vs %d bytes)", len(ours), len(theirs))
	}
}

func TestDpkgDebAcceptsSignedPackage(t *testing.T) {
	needDpkgDeb(t)
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Xz})
	var signed bytes.Buffer
	if err := AddSignature(bytes.NewReader(pkg), &signed, "_gpgorigin", []byte("-----BEGIN PGP SIGNATURE-----\nodd\n")); err != nil {
		t.Fatal(err)
	}
	plain, sig := writeTemp(t, "plain.deb", pkg), writeTemp(t, "signed.deb", signed.Bytes())
	infoTail := func(s string) string { return s[strings.Index(s, "control archive="):] }
	if a, b := dpkgDeb(t, "-I", plain), dpkgDeb(t, "-I", sig); infoTail(a) != infoTail(b) {
		t.Errorf("dpkg-deb -I differs after signing:\n%s\n%s", a, b)
	}
	if a, b := dpkgDeb(t, "-c", plain), dpkgDeb(t, "-c", sig); a != b {
		t.Errorf("dpkg-deb -c differs after signing")
	}
	out := filepath.Join(t.TempDir(), "x")
	dpkgDeb(t, "-x", sig, out)
	compareTrees(t, dir, out, time.Unix(1<<40, 0))
}

func TestReadBzip2AndLzmaData(t *testing.T) {
	needDpkgDeb(t)
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	_, want := readEntries(t, buildBytes(t, dir, BuildOptions{}))
	plain := buildBytes(t, dir, BuildOptions{Compression: None})
	ar, err := NewArchiveReader(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	ctrl, data := arMemberData(t, plain, "control.tar"), arMemberData(t, plain, "data.tar")
	_ = ar
	for _, tool := range []struct{ ext, cmd, arg string }{{".bz2", "bzip2", "-c"}, {".lzma", "xz", "--format=lzma"}} {
		t.Run(tool.ext, func(t *testing.T) {
			if _, err := exec.LookPath(tool.cmd); err != nil {
				t.Skip(tool.cmd + " not installed")
			}
			cmd := exec.Command(tool.cmd, tool.arg, "-c")
			cmd.Stdin = bytes.NewReader(data)
			z, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			pkg := craftAr(t, arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", ctrl}, arMember{"data.tar" + tool.ext, z})
			_, got := readEntries(t, pkg)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("entries differ")
			}
			if got, want := parseListing(t, dpkgDeb(t, "-c", writeTemp(t, "p.deb", pkg))), wantListing(want); !reflect.DeepEqual(got, want) {
				t.Errorf("dpkg-deb -c disagrees")
			}
		})
	}
}

// arMemberData returns the data of the first member whose name starts
// with prefix.
func arMemberData(t *testing.T, pkg []byte, prefix string) []byte {
	t.Helper()
	_, data := arMemberOf(t, pkg, prefix)
	return data
}

// arMemberOf returns the name and data of the first member whose name
// starts with prefix.
func arMemberOf(t *testing.T, pkg []byte, prefix string) (string, []byte) {
	t.Helper()
	a, err := newArReader(bytes.NewReader(pkg))
	if err != nil {
		t.Fatal(err)
	}
	for {
		h, err := a.next()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(h.Name, prefix) {
			var b bytes.Buffer
			b.ReadFrom(a)
			return h.Name, b.Bytes()
		}
	}
}
