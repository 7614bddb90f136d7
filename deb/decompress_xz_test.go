package deb

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// withDecoders runs f with the xz program and with the Go decoder.
func withDecoders(t *testing.T, f func(t *testing.T)) {
	if xzProgram() == "" {
		t.Log("no xz program: the Go decoder only")
	} else {
		t.Run("xz-program", f)
	}
	useXzProgram = false
	defer func() { useXzProgram = true }()
	t.Run("go", f)
}

// xzFiles is sampleFiles with 96 KiB of random bytes added, so that
// data.tar.xz is larger than inlineDataSize: smaller ones are always
// decoded in Go.
func xzFiles() []treeFile {
	rng := rand.New(rand.NewPCG(5, 6))
	noise := make([]byte, 96<<10)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	return withFile(sampleFiles, treeFile{name: "usr/lib/noise", body: string(noise), mode: 0644})
}

// A data.tar.xz up to inlineDataSize is decoded in Go, a larger one by
// the xz program: with a program that always fails, the small package
// still reads and the large one does not.
func TestSmallXzDataDecodedInGo(t *testing.T) {
	failing, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false program")
	}
	small := buildBytes(t, makeTree(t, sampleFiles, time.Unix(1700000000, 0)), BuildOptions{Compression: Xz})
	large := buildBytes(t, makeTree(t, xzFiles(), time.Unix(1700000000, 0)), BuildOptions{Compression: Xz})
	if n := len(arMemberData(t, small, "data.tar")); n > inlineDataSize {
		t.Fatalf("small data.tar.xz is %d bytes", n)
	}
	old := xzProgram
	xzProgram = func() string { return failing }
	defer func() { xzProgram = old }()
	if _, entries := readEntries(t, small); len(entries) == 0 {
		t.Error("small package: no entries")
	}
	ar, err := NewArchiveReader(bytes.NewReader(large))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := ar.Data()
	if err == nil {
		for err == nil {
			_, err = dr.Next()
		}
		ar.Signatures()
	}
	if err == nil || err == io.EOF || !strings.Contains(err.Error(), "xz") {
		t.Errorf("large package read with a failing xz program: %v, want an xz error", err)
	}
}

// TestXzDecodersAgree reads the same xz package with the xz program and
// with the Go decoder: the same entries, contents and signatures.
func TestXzDecodersAgree(t *testing.T) {
	dir := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	var signed bytes.Buffer
	if err := AddSignature(bytes.NewReader(buildBytes(t, dir, BuildOptions{Compression: Xz})), &signed, "_gpgorigin", []byte("SIG")); err != nil {
		t.Fatal(err)
	}
	var got [][]debEntry
	withDecoders(t, func(t *testing.T) {
		ar, entries := readEntries(t, signed.Bytes())
		if sigs, err := ar.Signatures(); err != nil || len(sigs) != 1 || string(sigs[0].Data) != "SIG" {
			t.Errorf("Signatures() = %q, %v", sigs, err)
		}
		got = append(got, entries)
	})
	if len(got) == 2 && !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("the decoders disagree:\n%+v\n%+v", got[0], got[1])
	}
}

// TestXzDamagedPayload reads an xz payload with a byte changed, and one
// cut short: both decoders fail with a DamagedError, never a short
// archive read as whole.
func TestXzDamagedPayload(t *testing.T) {
	dir := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: Xz})
	at := bytes.Index(pkg, []byte("data.tar.xz "))
	if at < 0 {
		t.Fatal("no data.tar.xz")
	}
	start := at + arHeaderSize
	flipped := bytes.Clone(pkg)
	flipped[start+len(pkg[start:])/2] ^= 0x55
	ctrlName, ctrl := controlOf(t, pkg)
	cut := craftAr(t, arMember{"debian-binary", []byte("2.0\n")}, arMember{ctrlName, ctrl},
		arMember{"data.tar.xz", pkg[start : start+(len(pkg)-start)/2]})
	for name, b := range map[string][]byte{"flipped": flipped, "cut": cut} {
		withDecoders(t, func(t *testing.T) {
			err := readWholeDeb(b)
			t.Logf("%s: %v", name, err)
			var de *DamagedError
			if !errors.As(err, &de) {
				t.Errorf("%s: %v, want a DamagedError", name, err)
			}
		})
	}
}

// TestXzStopEarly stops reading an xz payload after its first entry:
// Signatures still finds the member after it (the decoder stopped and
// read no further than data.tar).
func TestXzStopEarly(t *testing.T) {
	dir := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	var signed bytes.Buffer
	if err := AddSignature(bytes.NewReader(buildBytes(t, dir, BuildOptions{Compression: Xz})), &signed, "_gpgorigin", []byte("SIG")); err != nil {
		t.Fatal(err)
	}
	withDecoders(t, func(t *testing.T) {
		ar, err := NewArchiveReader(bytes.NewReader(signed.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer ar.Close()
		dr, err := ar.Data()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dr.Next(); err != nil {
			t.Fatal(err)
		}
		if sigs, err := ar.Signatures(); err != nil || len(sigs) != 1 {
			t.Errorf("Signatures() = %q, %v", sigs, err)
		}
	})
}

// controlOf returns the name and contents of a package's control member.
func controlOf(t *testing.T, pkg []byte) (string, []byte) {
	t.Helper()
	at := bytes.Index(pkg, []byte("control.tar"))
	if at < 0 {
		t.Fatal("no control member")
	}
	h, err := parseArHeader(pkg[at : at+arHeaderSize])
	if err != nil {
		t.Fatal(err)
	}
	return h.Name, pkg[at+arHeaderSize : at+arHeaderSize+int(h.Size)]
}

// BenchmarkXzProgram decodes a 12 MiB payload compressed with xz -6 (an
// 8 MiB dictionary, as dpkg-deb's) through the xz program, with its
// usual environment (xzEnv, huge pages on request) and with the C
// locale alone, and reports the page faults of each decode.
func BenchmarkXzProgram(b *testing.B) {
	path := xzProgram()
	if path == "" {
		b.Skip("no xz program")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	words := strings.Fields("the quick brown fox jumps over a lazy dog while perl modules load libraries and man pages")
	var text bytes.Buffer
	for text.Len() < 12<<20 {
		text.WriteString(words[rng.IntN(len(words))])
		text.WriteByte(" \n"[rng.IntN(2)])
	}
	cmd := exec.Command(path, "-6", "--stdout")
	cmd.Stdin = bytes.NewReader(text.Bytes())
	payload, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
	}{{"plain", []string{"LC_ALL=C"}}, {"hugetlb", xzEnv}} {
		b.Run(c.name, func(b *testing.B) {
			old := xzEnv
			xzEnv = c.env
			defer func() { xzEnv = old }()
			b.SetBytes(int64(text.Len()))
			before := childFaults()
			for b.Loop() {
				x, err := startXz(path, bytes.NewReader(payload))
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, x)
				x.close()
				if err != nil || n != int64(text.Len()) {
					b.Fatalf("decoded %d bytes, %v", n, err)
				}
			}
			b.ReportMetric(float64(childFaults()-before)/float64(b.N), "faults/op")
		})
	}
}

// childFaults is the minor page faults of the waited-for children.
func childFaults() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return ru.Minflt
}

// readFileEntries is readEntries on the package as a file, with whether
// the data member went to xz as a file of its own (see memberFile).
func readFileEntries(t *testing.T, pkg []byte) ([]debEntry, bool, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.deb")
	if err := os.WriteFile(p, pkg, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ar, err := NewArchiveReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	direct := ar.ar.remain == 0
	out, err := dataEntries(dr)
	if err != nil {
		return out, direct, err
	}
	_, err = ar.Signatures()
	return out, direct, err
}

// TestXzMemberFromFile reads packages from files: a data.tar.xz that
// ends the file goes to xz as its standard input, one followed by another
// member through a pipe; both read the same entries as from memory. (An
// xz stream's size is a multiple of four, so such a member has no
// padding byte after it.) A byte after the stream is an error either
// way.
func TestXzMemberFromFile(t *testing.T) {
	if xzProgram() == "" {
		t.Skip("no xz program")
	}
	pkg := buildBytes(t, makeTree(t, xzFiles(), time.Unix(1700000000, 0)), BuildOptions{Compression: Xz})
	_, want := readEntries(t, pkg)
	got, direct, err := readFileEntries(t, pkg)
	if err != nil || !direct || len(got) != len(want) || got[len(got)-1].Body != want[len(want)-1].Body {
		t.Errorf("data.tar.xz ending the file: %v, read by xz itself: %v, %d entries, want %d", err, direct, len(got), len(want))
	}
	extra := craftAr(t, arMember{name: "_aim-extra", data: []byte("x")})[len(arMagic):]
	got, direct, err = readFileEntries(t, append(append([]byte(nil), pkg...), extra...))
	if err != nil || direct || len(got) != len(want) {
		t.Errorf("followed by a member: %v, read by xz itself: %v, %d entries, want a pipe and %d", err, direct, len(got), len(want))
	}
	// The same package with a byte after the stream, inside the member.
	var members []arMember
	for _, m := range []string{"debian-binary", "control.tar", "data.tar"} {
		name, data := arMemberOf(t, pkg, m)
		members = append(members, arMember{name: name, data: data})
	}
	members[2].data = append(members[2].data, 0)
	junk := craftAr(t, members...)
	if _, direct, err := readFileEntries(t, junk); err == nil || !direct {
		t.Errorf("a byte after the stream, read by xz itself (%v): %v, want an error", direct, err)
	}
	if _, _, err := readFileEntries(t, append(junk, extra...)); err == nil {
		t.Error("a byte after the stream, through a pipe: no error")
	}
}

// TestGrowPipe checks that the pipe xz writes to gets xzPipeSize bytes
// where the system allows it.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	growPipe(r)
	raw, err := r.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	raw.Control(func(fd uintptr) { size, _ = unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0) })
	if b, err := os.ReadFile("/proc/sys/fs/pipe-max-size"); err == nil {
		if max, _ := strconv.Atoi(strings.TrimSpace(string(b))); max < xzPipeSize && os.Geteuid() != 0 {
			t.Skipf("pipe-max-size is %d", max)
		}
	}
	if size != xzPipeSize {
		t.Errorf("pipe size %d, want %d", size, xzPipeSize)
	}
	growPipe(strings.NewReader("not a pipe")) // nothing to grow, and no panic
}
