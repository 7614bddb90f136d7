package deb

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// readWholeDeb reads a whole package the way an installer would: control,
// every data entry with its contents, then the signatures. It returns the
// first error.
func readWholeDeb(pkg []byte) error {
	ar, err := NewArchiveReader(bytes.NewReader(pkg))
	if err != nil {
		return err
	}
	defer ar.Close()
	dr, err := ar.Data()
	if err != nil {
		return err
	}
	for {
		_, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, io.LimitReader(dr, 64<<20)); err != nil {
			return err
		}
	}
	_, err = ar.Signatures()
	return err
}

func TestTruncatedArchives(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	for _, c := range allCompressions {
		t.Run(string(c), func(t *testing.T) {
			var signed bytes.Buffer
			pkg := buildBytes(t, dir, BuildOptions{Compression: c})
			if err := AddSignature(bytes.NewReader(pkg), &signed, "_gpgorigin", []byte("odd")); err != nil {
				t.Fatal(err)
			}
			pkg = signed.Bytes()
			if err := readWholeDeb(pkg); err != nil {
				t.Fatalf("whole package: %v", err)
			}
			sigStart := len(pkg) - arHeaderSize - 4 // a clean end after data.tar
			step := max(1, len(pkg)/1500)
			if c == Xz { // each xz reader allocates an 8 MiB dictionary
				step = max(1, len(pkg)/300)
			}
			for n := 0; n < len(pkg); n += step {
				if n == sigStart {
					continue
				}
				err := readWholeDeb(pkg[:n])
				if err == nil {
					t.Fatalf("truncated at %d of %d: no error", n, len(pkg))
				}
				if c == None && n > 8 && !strings.Contains(err.Error(), "unexpected end of archive in ") {
					t.Errorf("truncated at %d: %v", n, err)
				}
			}
		})
	}
}

func TestTruncatedMessage(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Xz})
	ctrl := bytes.Index(pkg, []byte("control.tar.xz"))
	_, err := NewArchiveReader(bytes.NewReader(pkg[:ctrl+60+10]))
	if err == nil || !strings.Contains(err.Error(), "unexpected end of archive in member control.tar.xz") ||
		!errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v", err)
	}
}

func TestBadArchives(t *testing.T) {
	ctrl := tarOf(t, []*tar.Header{{Name: "./control", Typeflag: tar.TypeReg}},
		map[string]string{"./control": "Package: m\nVersion: 1\nArchitecture: all\n"})
	data := tarOf(t, []*tar.Header{{Name: "./", Typeflag: tar.TypeDir}}, nil)
	db := arMember{"debian-binary", []byte("2.0\n")}
	good := craftAr(t, db, arMember{"control.tar", ctrl}, arMember{"data.tar", data})
	hdr := func(name, size string) []byte { // a raw member header
		h := []byte(strings.Repeat(" ", 60))
		copy(h, name)
		copy(h[16:], "0")
		copy(h[48:], size)
		copy(h[58:], "`\n")
		return h
	}
	tests := []struct {
		name string
		pkg  []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"short magic", []byte("!<ar"), "too short"},
		{"no magic", []byte("PK\x03\x04 not an ar archive"), "no ar magic"},
		{"text mode", []byte("!<arch>\r\ndebian-binary"), "text-mode"},
		{"only magic", []byte(arMagic), "empty ar archive"},
		{"bad header end", append([]byte(arMagic), bytes.Replace(hdr("debian-binary", "4"), []byte("`\n"), []byte("xx"), 1)...), "bad member header magic"},
		{"bad size", append([]byte(arMagic), hdr("debian-binary", "4x")...), "bad size"},
		{"negative size", append([]byte(arMagic), hdr("debian-binary", "-4")...), "bad size"},
		{"empty size", append([]byte(arMagic), hdr("debian-binary", "")...), "bad size"},
		{"symbol table", append([]byte(arMagic), hdr("/", "4")...), "symbol table"},
		{"control name", append([]byte(arMagic), hdr("deb\x01ian", "4")...), "bad character"},
		{"first not debian-binary", craftAr(t, arMember{"control.tar", ctrl}), "not a debian binary archive"},
		{"version 3", craftAr(t, arMember{"debian-binary", []byte("3.0\n")}), `"3.0" not understood`},
		{"version no dot", craftAr(t, arMember{"debian-binary", []byte("20\n")}), "no dot"},
		{"version no newline", craftAr(t, arMember{"debian-binary", []byte("2.0")}), "no newline"},
		{"huge debian-binary", craftAr(t, arMember{"debian-binary", make([]byte, 2000)}), "too large"},
		{"data first", craftAr(t, db, arMember{"data.tar", data}, arMember{"control.tar", ctrl}), "member data.tar before control.tar"},
		{"unknown before control", craftAr(t, db, arMember{"extra", nil}), "member extra before control.tar"},
		{"no control", craftAr(t, db), "no control.tar member"},
		{"control bz2", craftAr(t, db, arMember{"control.tar.bz2", ctrl}), "unknown compression"},
		{"control junk ext", craftAr(t, db, arMember{"control.tarx", ctrl}), "unknown compression"},
		{"two controls", craftAr(t, db, arMember{"control.tar", ctrl}, arMember{"control.tar", ctrl}), "two control members"},
		{"unknown before data", craftAr(t, db, arMember{"control.tar", ctrl}, arMember{"foo", nil}), "member foo before data.tar"},
		{"data junk ext", craftAr(t, db, arMember{"control.tar", ctrl}, arMember{"data.tar.rar", data}), "unknown compression"},
		{"no data", craftAr(t, db, arMember{"control.tar", ctrl}), "no data.tar member"},
		{"member after data", append(good, craftAr(t, arMember{"late", nil})[8:]...), "member late after data.tar"},
		{"huge signature", append(good, craftAr(t, arMember{"_gpgx", make([]byte, MaxSignatureSize+1)})[8:]...), "too large"},
		{"no control file", craftAr(t, db, arMember{"control.tar", data}), "no control file"},
		{"bad control file", craftAr(t, db, arMember{"control.tar", tarOf(t, []*tar.Header{{Name: "./control", Typeflag: tar.TypeReg}},
			map[string]string{"./control": "Package x\n"})}), "parse control file"},
		{"control not tar", craftAr(t, db, arMember{"control.tar", []byte("hello, world")}), "control.tar"},
		{"control not gzip", craftAr(t, db, arMember{"control.tar.gz", ctrl}), "control.tar.gz"},
		{"oversized control member", append(craftAr(t, db), hdr("control.tar", "999999999")...), "too large"},
		{"too many members", craftAr(t, append([]arMember{db}, manyMembers(MaxArMembers)...)...), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readWholeDeb(tt.pkg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func manyMembers(n int) []arMember {
	out := make([]arMember, n)
	for i := range out {
		out[i] = arMember{"_pad", nil}
	}
	return out
}

func TestControlBounds(t *testing.T) {
	db := arMember{"debian-binary", []byte("2.0\n")}
	// A small gzip stream that inflates past MaxControlSize.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"./control", "./md5sums"} {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: MaxControlSize / 2, Mode: 0644})
		io.Copy(tw, io.LimitReader(zeros{}, MaxControlSize/2))
	}
	tw.Close()
	zw.Close()
	err := readWholeDeb(craftAr(t, db, arMember{"control.tar.gz", z.Bytes()}))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("control bomb: %v", err)
	}
	var hdrs []*tar.Header
	for i := 0; i <= MaxControlMembers; i++ {
		hdrs = append(hdrs, &tar.Header{Name: "./d" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)), Typeflag: tar.TypeDir})
	}
	err = readWholeDeb(craftAr(t, db, arMember{"control.tar", tarOf(t, hdrs, nil)}))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("many control entries: %v", err)
	}
	dup := tarOf(t, []*tar.Header{{Name: "./control", Typeflag: tar.TypeReg}, {Name: "control", Typeflag: tar.TypeReg}}, nil)
	if err := readWholeDeb(craftAr(t, db, arMember{"control.tar", dup})); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate control: %v", err)
	}
	abs := tarOf(t, []*tar.Header{{Name: "/control", Typeflag: tar.TypeReg}}, nil)
	if err := readWholeDeb(craftAr(t, db, arMember{"control.tar", abs})); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("absolute control entry: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDataEntryAttacks(t *testing.T) {
	root := &tar.Header{Name: "./", Typeflag: tar.TypeDir}
	file := &tar.Header{Name: "./usr/bin/x", Typeflag: tar.TypeReg}
	tests := []struct {
		name string
		hdrs []*tar.Header
		want string // "" when the archive is fine
	}{
		{"absolute", []*tar.Header{root, {Name: "/etc/passwd", Typeflag: tar.TypeReg}}, "absolute path"},
		{"dotdot", []*tar.Header{root, {Name: "../x", Typeflag: tar.TypeReg}}, "'..' component"},
		{"inner dotdot", []*tar.Header{root, {Name: "./a/../../x", Typeflag: tar.TypeReg}}, "'..' component"},
		{"harmless dotdot", []*tar.Header{root, {Name: "./a/b/../c", Typeflag: tar.TypeReg}}, "'..' component"},
		{"root file", []*tar.Header{{Name: "./", Typeflag: tar.TypeReg}}, "top directory"},
		{"hard link unseen", []*tar.Header{root, {Name: "./a", Typeflag: tar.TypeLink, Linkname: "./b"}}, "not an earlier file"},
		{"hard link outside", []*tar.Header{root, {Name: "./a", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"}}, "absolute path"},
		{"hard link dotdot", []*tar.Header{root, {Name: "./a", Typeflag: tar.TypeLink, Linkname: "../../etc/shadow"}}, "'..'"},
		{"hard link to dir", []*tar.Header{root, {Name: "./d/", Typeflag: tar.TypeDir}, {Name: "./a", Typeflag: tar.TypeLink, Linkname: "./d"}}, "not an earlier file"},
		{"hard link self", []*tar.Header{root, {Name: "./a", Typeflag: tar.TypeLink, Linkname: "./a"}}, "not an earlier file"},
		{"symlink escape", []*tar.Header{root, {Name: "./usr/x", Typeflag: tar.TypeSymlink, Linkname: "../../etc"}}, "outside the package tree"},
		{"symlink top escape", []*tar.Header{root, {Name: "./x", Typeflag: tar.TypeSymlink, Linkname: ".."}}, "outside the package tree"},
		{"symlink empty", []*tar.Header{root, {Name: "./x", Typeflag: tar.TypeSymlink}}, "empty target"},
		{"bad type", []*tar.Header{root, {Name: "./x", Typeflag: 'V'}}, "unsupported type"},
		{"fine", []*tar.Header{root, file,
			{Name: "./usr/bin/y", Typeflag: tar.TypeLink, Linkname: "./usr/bin/x"},
			{Name: "./usr/bin/z", Typeflag: tar.TypeLink, Linkname: "usr/bin/x"},
			{Name: "./usr/lib/abs", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
			{Name: "./usr/lib/rel", Typeflag: tar.TypeSymlink, Linkname: "../bin/x"},
			{Name: "./usr/lib/up", Typeflag: tar.TypeSymlink, Linkname: "../../usr"},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readWholeDeb(minimalDeb(t, tarOf(t, tt.hdrs, nil)))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCleanEntryName(t *testing.T) {
	good := map[string]string{"./": ".", ".": ".", "./usr/bin/": "usr/bin", "usr//x": "usr/x", "./a/./b": "a/b"}
	for in, want := range good {
		if got, err := CleanEntryName(in); got != want || err != nil {
			t.Errorf("CleanEntryName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "/x", "..", "a/..", "a/../b", "a\x00b", strings.Repeat("a/", MaxPathLen)} {
		if got, err := CleanEntryName(in); err == nil {
			t.Errorf("CleanEntryName(%q) = %q, want an error", in, got)
		}
	}
}

func TestCorruptCompressedData(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	for _, c := range []Compression{Gzip, Xz, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			pkg := buildBytes(t, dir, BuildOptions{Compression: c})
			start := bytes.Index(pkg, []byte("data.tar"+c.Extension())) + 60
			fails := 0
			for off := start; off < len(pkg); off += max(1, (len(pkg)-start)/200) {
				bad := bytes.Clone(pkg)
				bad[off] ^= 0x55
				if readWholeDeb(bad) != nil {
					fails++
				}
			}
			if fails == 0 {
				t.Error("no corruption was detected")
			}
		})
	}
}
