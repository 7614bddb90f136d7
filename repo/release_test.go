package repo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sampleRelease = `Origin: Debian
Label: Debian
Suite: stable
Version: 12.5
Codename: bookworm
Date: Sat, 10 Feb 2024 10:50:18 UTC
Valid-Until: Sat, 17 Feb 2024 10:50:18 +0000
Acquire-By-Hash: yes
No-Support-for-Architecture-all: Packages
Architectures: all amd64 arm64
Components: main contrib
Description: Debian 12.5 Released 10 February 2024
Changelogs: https://metadata.example.org/changelogs/@CHANGEPATH@_changelog
MD5Sum:
 0ed6d4c8891eb86358b94bb35d9e4da4   738242 contrib/Contents-all
 d41d8cd98f00b204e9800998ecf8427e        0 main/binary-amd64/Packages
SHA256:
 3957f28db16e3f28c7b34ae84f1c929c567de6970f3f1b95dac9b498dd80fe63   738242 contrib/Contents-all
 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        0 main/binary-amd64/Packages
`

func TestParseRelease(t *testing.T) {
	r, err := ParseRelease([]byte(sampleRelease))
	if err != nil {
		t.Fatal(err)
	}
	if r.Suite != "stable" || r.Codename != "bookworm" || !r.AcquireByHash || r.NoSupportForArchitectureAll != "Packages" {
		t.Errorf("fields: %+v", r)
	}
	if !r.Date.Equal(time.Date(2024, 2, 10, 10, 50, 18, 0, time.UTC)) || !r.ValidUntil.Equal(r.Date.Add(7*24*time.Hour)) {
		t.Errorf("dates: %v %v", r.Date, r.ValidUntil)
	}
	if !reflect.DeepEqual(r.Architectures, []string{"all", "amd64", "arm64"}) {
		t.Errorf("architectures %q", r.Architectures)
	}
	f, ok := r.File("main/binary-amd64/Packages")
	if !ok || f.Size != 0 || f.MD5 != "d41d8cd98f00b204e9800998ecf8427e" || !strings.HasPrefix(f.SHA256, "e3b0c442") {
		t.Errorf("file entry %+v", f)
	}
	if f, ok := r.File("contrib/Contents-all"); !ok || f.Size != 738242 {
		t.Errorf("contrib/Contents-all: %+v", f)
	}
	if len(r.Extra) != 1 || r.Extra[0].Name != "Changelogs" {
		t.Errorf("extra %+v", r.Extra)
	}
}

func TestParseReleaseErrors(t *testing.T) {
	tests := map[string]string{
		"Suite: a\n": "no SHA256 sums",
		"SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0\n":                    "want \"hash size path\"",
		"SHA256:\n e3b0 0 main/Packages\n":                                                                  "malformed hash",
		"SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 -1 main/Packages\n":     "malformed size",
		"SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 ../../etc/passwd\n":   "bad index path",
		"SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 /etc/passwd\n":        "bad index path",
		"Date: yesterday\nSHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 a\n": "unrecognised date",
		"A: 1\n\nB: 2\n": "more than one paragraph",
		"MD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 1 a\nSHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 a\n": "has size 0 here and 1 elsewhere",
	}
	for in, want := range tests {
		if _, err := ParseRelease([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want ...%s...", in, err, want)
		}
	}
}

func TestReleaseRoundTrip(t *testing.T) {
	r, err := ParseRelease([]byte(sampleRelease))
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseRelease(r.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, r.Bytes())
	}
	if !reflect.DeepEqual(r, again) {
		t.Errorf("round trip changed the release:\n%+v\n%+v", r, again)
	}
}

// TestParseRealRelease parses the signed text of apt's own Debian InRelease
// files, when the machine has them.
func TestParseRealRelease(t *testing.T) {
	files, _ := filepath.Glob("/var/lib/apt/lists/*_InRelease")
	if len(files) == 0 {
		t.Skip("no InRelease in apt's lists")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		start := strings.Index(text, "\n\n")
		end := strings.Index(text, "\n-----BEGIN PGP SIGNATURE-----")
		if start < 0 || end < start {
			t.Fatalf("%s: not clear-signed", f)
		}
		r, err := ParseRelease([]byte(text[start+2 : end]))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(r.Files) == 0 || r.Date.IsZero() {
			t.Errorf("%s: no files or date", f)
		}
	}
}

// FuzzParseRelease checks that any input parses or fails cleanly, and that
// a parsed Release writes back to text that parses to the same value.
func FuzzParseRelease(f *testing.F) {
	f.Add([]byte(sampleRelease))
	f.Add([]byte("SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRelease(data)
		if err != nil {
			return
		}
		again, err := ParseRelease(r.Bytes())
		if err != nil {
			t.Fatalf("written release does not parse: %v\n%s", err, r.Bytes())
		}
		if !reflect.DeepEqual(r.Files, again.Files) || r.Suite != again.Suite || !r.Date.Equal(again.Date) {
			t.Fatalf("round trip changed the release")
		}
	})
}
