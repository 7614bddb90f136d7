package deb

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var allCompressions = []Compression{Gzip, Xz, Zstd, None}

// wantSampleEntries lists the data.tar of sampleFiles in dpkg-deb's
// order: the tree depth first with names sorted, symlinks last.
var wantSampleEntries = []string{
	"./", "./etc/", "./etc/sample.conf", "./usr/", "./usr/bin/", "./usr/bin/sample",
	"./usr/bin/suid", "./usr/bin-x/", "./usr/bin-x/file", "./usr/lib/", "./usr/lib/big",
	"./usr/lib/fifo", "./usr/share/", "./usr/share/doc/", "./usr/share/doc/sample/",
	"./usr/share/doc/sample/README", "./usr/share/doc/sample/README.hard",
	"./usr/share/doc/sample/" + longName, "./usr/share/doc/sample/grüße.txt", "./var/",
	"./usr/bin/sample-link", "./usr/lib/abs",
}

func TestReadBuiltPackage(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	inline, ahead := 0, 0 // the two ways Data decompresses, both read here
	for _, c := range allCompressions {
		t.Run(string(c), func(t *testing.T) {
			ar, entries := readEntries(t, buildBytes(t, dir, BuildOptions{Compression: c}))
			if ar.dataSize <= inlineDataSize {
				inline++
			} else {
				ahead++
			}
			checkSampleControl(t, ar)
			if got, want := ar.DataMemberName(), "data.tar"+c.Extension(); got != want {
				t.Errorf("data member %q, want %q", got, want)
			}
			var names []string
			byName := map[string]debEntry{}
			for _, e := range entries {
				names = append(names, e.Name)
				byName[e.Name] = e
			}
			if !reflect.DeepEqual(names, wantSampleEntries) {
				t.Errorf("entries\n%q\nwant\n%q", names, wantSampleEntries)
			}
			checkSampleEntries(t, byName)
			sigs, err := ar.Signatures()
			if err != nil || len(sigs) != 0 {
				t.Errorf("Signatures() = %v, %v; want none", sigs, err)
			}
		})
	}
	if inline == 0 || ahead == 0 {
		t.Errorf("%d data members decompressed inline, %d with read-ahead: want both ways tested", inline, ahead)
	}
}

func checkSampleControl(t *testing.T, ar *ArchiveReader) {
	t.Helper()
	if ar.Version() != "2.0" {
		t.Errorf("Version() = %q", ar.Version())
	}
	ctl := ar.Control()
	if got := ctl.Control.Get("Package"); got != "sample" {
		t.Errorf("Package = %q", got)
	}
	if got := ctl.Control.Get("Description"); got != "a sample package\n with a long description\n .\n and a second paragraph." {
		t.Errorf("Description = %q", got)
	}
	var names []string
	for _, m := range ctl.Members {
		names = append(names, m.Name)
	}
	want := []string{"checkrm", "conffiles", "control", "md5sums", "postinst", "triggers"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("control members %q, want %q", names, want)
	}
	if m, _ := ctl.Member("postinst"); m.Mode.Perm() != 0755 || string(m.Data) != "#!/bin/sh\nset -e\necho configured\n" {
		t.Errorf("postinst = %v %q", m.Mode, m.Data)
	}
	if got := ctl.Conffiles(); !reflect.DeepEqual(got, []string{"/etc/sample.conf"}) {
		t.Errorf("Conffiles() = %q", got)
	}
}

func checkSampleEntries(t *testing.T, byName map[string]debEntry) {
	t.Helper()
	checks := []struct {
		name string
		typ  byte
		mode int64
		body string
		link string
	}{
		{"./usr/bin/sample", tar.TypeReg, 0755, "#!/bin/sh\necho sample\n", ""},
		{"./usr/bin/suid", tar.TypeReg, 04755, "binary\n", ""},
		{"./usr/bin/sample-link", tar.TypeSymlink, 0777, "", "sample"},
		{"./usr/lib/abs", tar.TypeSymlink, 0777, "", "/etc/sample.conf"},
		{"./usr/lib/fifo", tar.TypeFifo, 0644, "", ""},
		{"./usr/share/doc/sample/README.hard", tar.TypeLink, 0644, "", "./usr/share/doc/sample/README"},
		{"./var/", tar.TypeDir, 01777, "", ""},
		{"./usr/lib/big", tar.TypeReg, 0644, strings.Repeat("0123456789abcdef", 5000), ""},
	}
	for _, c := range checks {
		e := byName[c.name]
		if e.Type != c.typ || e.Mode != c.mode || e.Body != c.body || e.Link != c.link {
			t.Errorf("%s: type %q mode %o link %q body %d bytes; want %q %o %q %d bytes",
				c.name, e.Type, e.Mode, e.Link, len(e.Body), c.typ, c.mode, c.link, len(c.body))
		}
		if e.UID != 0 || e.GID != 0 || e.Uname != "root" || e.Gname != "root" {
			t.Errorf("%s: owner %d/%d %s/%s, want root", c.name, e.UID, e.GID, e.Uname, e.Gname)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestReaderStopsAfterControl(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Gzip})
	cr := &countingReader{r: bytes.NewReader(pkg)}
	ar, err := NewArchiveReader(cr)
	if err != nil {
		t.Fatal(err)
	}
	dataHeader := int64(bytes.Index(pkg, []byte("data.tar.gz ")))
	if cr.n > dataHeader {
		t.Errorf("read %d bytes before returning; data.tar header starts at %d", cr.n, dataHeader)
	}
	if ar.ControlMemberName() != "control.tar.gz" || ar.ControlSize() <= 0 {
		t.Errorf("control member %q size %d", ar.ControlMemberName(), ar.ControlSize())
	}
}

func TestUnderscoreMembers(t *testing.T) {
	data := tarOf(t, []*tar.Header{{Name: "./", Typeflag: tar.TypeDir, Mode: 0755}}, nil)
	ctrl := tarOf(t, []*tar.Header{{Name: "./control", Typeflag: tar.TypeReg}},
		map[string]string{"./control": "Package: u\nVersion: 1\nArchitecture: all\n"})
	pkg := craftAr(t, arMember{"debian-binary", []byte("2.9 extra\n")}, arMember{"_skipme", []byte("x")},
		arMember{"control.tar", ctrl}, arMember{"_between", []byte("yy")}, arMember{"data.tar", data},
		arMember{"_gpgorigin", []byte("sig1")}, arMember{"_other", nil}, arMember{"_gpgbuilder", []byte("sig2")})
	ar, err := NewArchiveReader(bytes.NewReader(pkg))
	if err != nil {
		t.Fatal(err)
	}
	if ar.Version() != "2.9 extra" {
		t.Errorf("Version() = %q", ar.Version())
	}
	// Signatures without reading data.tar first.
	sigs, err := ar.Signatures()
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{{"_gpgorigin", []byte("sig1")}, {"_gpgbuilder", []byte("sig2")}}
	if !reflect.DeepEqual(sigs, want) {
		t.Errorf("Signatures() = %q, want %q", sigs, want)
	}
	if _, err := ar.Data(); err == nil {
		t.Error("Data() after Signatures() succeeded")
	}
}

func TestSignaturesAfterPartialData(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Zstd})
	var signed bytes.Buffer
	if err := AddSignature(bytes.NewReader(pkg), &signed, "_gpgorigin", []byte("SIG")); err != nil {
		t.Fatal(err)
	}
	ar, err := NewArchiveReader(bytes.NewReader(signed.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dr.Next(); err != nil {
		t.Fatal(err)
	}
	sigs, err := ar.Signatures()
	if err != nil || len(sigs) != 1 || string(sigs[0].Data) != "SIG" {
		t.Fatalf("Signatures() = %q, %v", sigs, err)
	}
	if _, err := dr.Next(); err == nil {
		t.Error("data reader still usable after Signatures")
	}
	ar.Close()
}

func TestAddSignatureReplaces(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Gzip})
	steps := []struct {
		name, sig string
	}{{"_gpgorigin", "first"}, {"_gpgmaint", "odd"}, {"_gpgorigin", "second!"}}
	cur := pkg
	for _, s := range steps {
		var out bytes.Buffer
		if err := AddSignature(bytes.NewReader(cur), &out, s.name, []byte(s.sig)); err != nil {
			t.Fatal(err)
		}
		cur = out.Bytes()
	}
	ar, entries := readEntries(t, cur)
	if len(entries) != len(wantSampleEntries) {
		t.Errorf("%d entries after signing", len(entries))
	}
	sigs, err := ar.Signatures()
	want := []Member{{"_gpgmaint", []byte("odd")}, {"_gpgorigin", []byte("second!")}}
	if err != nil || !reflect.DeepEqual(sigs, want) {
		t.Errorf("Signatures() = %q, %v; want %q", sigs, err, want)
	}
	// What a signature covers does not change with signing.
	var before, after bytes.Buffer
	if err := WriteSignedData(bytes.NewReader(pkg), &before); err != nil {
		t.Fatal(err)
	}
	if err := WriteSignedData(bytes.NewReader(cur), &after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before.Bytes(), after.Bytes()) || !bytes.HasPrefix(before.Bytes(), []byte("2.0\n")) {
		t.Error("signed data differs after adding signatures")
	}
}

func TestAddSignatureRefuses(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Gzip})
	for _, name := range []string{"gpgorigin", "_gpg/x", "_gpgorigin_too_long", "_sig"} {
		if err := AddSignature(bytes.NewReader(pkg), io.Discard, name, []byte("s")); err == nil {
			t.Errorf("AddSignature(%q) succeeded", name)
		}
	}
	if err := AddSignature(bytes.NewReader(pkg), io.Discard, "_gpgx", make([]byte, MaxSignatureSize+1)); err == nil {
		t.Error("oversized signature accepted")
	}
	noData := craftAr(t, arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", nil})
	if err := AddSignature(bytes.NewReader(noData), io.Discard, "_gpgx", nil); err == nil || !strings.Contains(err.Error(), "no data.tar") {
		t.Errorf("AddSignature without data.tar: %v", err)
	}
}

func TestDataReaderName(t *testing.T) {
	data := tarOf(t, []*tar.Header{
		{Name: "./", Typeflag: tar.TypeDir},
		{Name: "usr//bin/./x", Typeflag: tar.TypeReg},
	}, nil)
	dr := NewDataReader(tar.NewReader(bytes.NewReader(data)))
	var names []string
	for {
		_, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, dr.Name())
	}
	if !reflect.DeepEqual(names, []string{".", "usr/bin/x"}) {
		t.Errorf("names %q", names)
	}
}

// Packages under testdata/pkgs were built by dpkg-deb --root-owner-group
// from testdata/demo/hello (mtimes and SOURCE_DATE_EPOCH 1700000000);
// the .contents files hold dpkg-deb -c's listing of them (TZ=UTC).
func TestReadDpkgDebFixtures(t *testing.T) {
	for _, z := range []string{"xz", "zstd"} {
		t.Run(z, func(t *testing.T) {
			pkg, err := os.ReadFile(filepath.Join("testdata", "pkgs", "hello_1.0.0-1_all."+z+".deb"))
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(filepath.Join("testdata", "pkgs", "hello."+z+".contents"))
			if err != nil {
				t.Fatal(err)
			}
			ar, entries := readEntries(t, pkg)
			var b strings.Builder
			for i, l := range wantListing(entries) {
				fmt.Fprintf(&b, "%s %s %9s %s %s\n", l.mode, l.owner, l.size,
					time.Unix(entries[i].ModTime, 0).UTC().Format("2006-01-02 15:04"), l.name)
			}
			if b.String() != string(golden) {
				t.Errorf("listing:\n%s\ndpkg-deb -c:\n%s", b.String(), golden)
			}
			if _, err := Icon(ar.Control().Control); err != nil {
				t.Error(err)
			}
			if m, ok := ar.Control().Member("checkrm"); !ok || m.Mode.Perm() != 0755 {
				t.Errorf("checkrm: %v", m)
			}
		})
	}
}
