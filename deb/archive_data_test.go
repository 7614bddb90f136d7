package deb

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestDataArchiveReaderSkipsControl reads data.tar and the signatures
// after it with NewDataArchiveReader: the control member is passed over
// undecoded (a corrupt control.tar.xz, which NewArchiveReader refuses,
// does not stop it), while its name is still checked.
func TestDataArchiveReaderSkipsControl(t *testing.T) {
	data := tarOf(t, []*tar.Header{{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "./f", Typeflag: tar.TypeReg, Mode: 0o644, Size: 2}}, map[string]string{"./f": "hi"})
	pkg := craftAr(t, arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar.xz", []byte("not xz at all")},
		arMember{"data.tar", data}, arMember{"_gpgorigin", []byte("sig")})
	if _, err := NewArchiveReader(bytes.NewReader(pkg)); err == nil {
		t.Fatal("NewArchiveReader accepted a corrupt control.tar.xz")
	}
	ar, err := NewDataArchiveReader(bytes.NewReader(pkg))
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	if ar.Control() != nil || ar.ControlMemberName() != "control.tar.xz" {
		t.Errorf("Control() = %v, member %q", ar.Control(), ar.ControlMemberName())
	}
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		h, err := dr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(dr)
		names = append(names, h.Name+"="+string(body))
	}
	if got := strings.Join(names, " "); got != "./= ./f=hi" {
		t.Errorf("entries %q", got)
	}
	if sigs, err := ar.Signatures(); err != nil || len(sigs) != 1 || string(sigs[0].Data) != "sig" {
		t.Errorf("Signatures() = %q, %v", sigs, err)
	}

	bad := craftAr(t, arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar.rar", nil}, arMember{"data.tar", data})
	if _, err := NewDataArchiveReader(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "unknown compression") {
		t.Errorf("control.tar.rar: %v, want an unknown compression", err)
	}
}
