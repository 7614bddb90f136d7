package deb

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"testing"
	"time"
)

// fuzzRead reads a package like readWholeDeb, bounding what it
// decompresses so that a tiny bomb does not stall the fuzzer.
func fuzzRead(pkg []byte) error {
	ar, err := NewArchiveReader(bytes.NewReader(pkg))
	if err != nil {
		return err
	}
	defer ar.Close()
	_ = ar.Control().Conffiles()
	_, _ = Icon(ar.Control().Control)
	dr, err := ar.Data()
	if err != nil {
		return err
	}
	budget := int64(8 << 20)
	for budget > 0 {
		h, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if h.Name == "" {
			panic("entry without a name passed the checks")
		}
		n, err := io.Copy(io.Discard, io.LimitReader(dr, budget))
		budget -= n
		if err != nil {
			return err
		}
	}
	_, err = ar.Signatures()
	return err
}

func FuzzArchiveReader(f *testing.F) {
	small := []treeFile{
		{name: "DEBIAN", mode: fs.ModeDir | 0755},
		controlFile("Package: f\nVersion: 1\nArchitecture: all\nMaintainer: m\nDescription: d\n"),
		{name: "DEBIAN/postinst", body: "#!/bin/sh\n", mode: 0755},
		{name: "usr", mode: fs.ModeDir | 0755},
		{name: "usr/f", body: "hello\n", mode: 0644},
		{name: "usr/h", link: "usr/f", hard: true, mode: 0644},
		{name: "usr/l", link: "f", mode: fs.ModeSymlink | 0777},
	}
	dir := makeTree(f, small, time.Unix(1700000000, 0))
	for _, c := range allCompressions {
		pkg := buildBytes(f, dir, BuildOptions{Compression: c})
		f.Add(pkg)
		var signed bytes.Buffer
		if err := AddSignature(bytes.NewReader(pkg), &signed, "_gpgorigin", []byte("sig")); err == nil {
			f.Add(signed.Bytes())
		}
	}
	f.Add(minimalDeb(f, tarOf(f, []*tar.Header{{Name: "./", Typeflag: tar.TypeDir},
		{Name: "./a", Typeflag: tar.TypeSymlink, Linkname: "../x"},
		{Name: "./b", Typeflag: tar.TypeLink, Linkname: "./c"}}, nil)))
	f.Add([]byte(arMagic + "debian-binary   0           0     0     100644  4         `\n2.0\n"))
	f.Fuzz(func(t *testing.T, pkg []byte) {
		_ = fuzzRead(pkg)
		_ = AddSignature(bytes.NewReader(pkg), io.Discard, "_gpgorigin", []byte("s"))
		_ = WriteSignedData(bytes.NewReader(pkg), io.Discard)
	})
}

func FuzzDecodeIcon(f *testing.F) {
	f.Add(EncodeIcon(testPNG))
	f.Add("\n iVBORw0KGgo=")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, v string) {
		b, err := DecodeIcon(v)
		if err == nil && !bytes.HasPrefix(b, pngSignature) {
			t.Fatalf("DecodeIcon(%q) returned a non-PNG", v)
		}
	})
}
