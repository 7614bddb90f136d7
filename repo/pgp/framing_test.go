package pgp

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func replaceRE(re, new string) edit {
	return func(s string) string { return regexp.MustCompile(re).ReplaceAllLiteralString(s, new) }
}

// edit changes the ed25519 clear-signed fixture.
type edit func(s string) string

func replace(old, new string) edit {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func TestClearSignedFraming(t *testing.T) {
	good := []struct {
		name string
		edit edit
	}{
		{"as signed", func(s string) string { return s }},
		{"blank lines before", func(s string) string { return "\n \n\r\n" + s }},
		{"blank lines after", func(s string) string { return s + "\n\t\n" }},
		{"no newline at the end", func(s string) string { return strings.TrimSuffix(s, "\n") }},
		{"CRLF line endings", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"trailing white space", replace("Suite: stable\n", "Suite: stable \t \n")},
		{"armor header in the signature", replace("-----BEGIN PGP SIGNATURE-----\n", "-----BEGIN PGP SIGNATURE-----\nVersion: x\n")},
		{"lower-case Hash value", replace("Hash: SHA256", "Hash: sha256")},
		{"no checksum line", replaceRE(`\n=....\n`, "\n")},
	}
	kr := keyring(t, "ed25519")
	want := releaseText(t)
	signed := string(fixture(t, "ed25519.clearsigned"))
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VerifyClearSigned([]byte(tt.edit(signed)), kr, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v.Text, want) {
				t.Errorf("text %q, want %q", v.Text, want)
			}
		})
	}
}

func TestClearSignedFramingRefused(t *testing.T) {
	bad := []struct {
		name  string
		edit  edit
		check errCheck
	}{
		{"text before", func(s string) string { return "Origin: evil\n" + s }, is(ErrMalformed)},
		{"text after", func(s string) string { return s + "Origin: evil\n" }, is(ErrMalformed)},
		{"two messages", func(s string) string { return s + s }, is(ErrMalformed)},
		{"message after blank lines", func(s string) string { return s + "\n\n" + s }, is(ErrMalformed)},
		{"unescaped dash line", replace("\n- - a line", "\n-- a line"), is(ErrMalformed)},
		{"unescaped armor line in the text", replace("- -----BEGIN PGP SIGNED", "-----BEGIN PGP SIGNED"), is(ErrMalformed)},
		{"header other than Hash", replace("Hash: SHA256\n", "Hash: SHA256\nComment: hi\n"), is(ErrMalformed)},
		{"unknown digest in Hash", replace("Hash: SHA256", "Hash: FOO"), is(ErrMalformed)},
		{"Hash header names another digest", replace("Hash: SHA256", "Hash: SHA512"), is(ErrBadSignature)},
		{"no blank line after headers", replace("Hash: SHA256\n\n", "Hash: SHA256\n"), is(ErrMalformed)},
		{"no signature block", func(s string) string { return s[:strings.Index(s, "-----BEGIN PGP SIGNATURE")] }, is(ErrMalformed)},
		{"no end line", replace("-----END PGP SIGNATURE-----", ""), is(ErrMalformed)},
		{"bad checksum", replaceRE(`\n=....\n`, "\n=AAAA\n"), is(ErrMalformed)},
		{"bad base64", replace("\niHUE", "\ni*UE"), is(ErrMalformed)},
		{"text changed", replace("Suite: stable", "Suite: stablE"), is(ErrBadSignature)},
		{"line added", replace("Components: main\n", "Components: main\nNo-Verify: yes\n"), is(ErrBadSignature)},
		{"blank line added at the end", replace("- From the end\n", "- From the end\n\n"), is(ErrBadSignature)},
		{"plain text", func(string) string { return "Origin: evil\n" }, is(ErrNoSignature)},
		{"empty", func(string) string { return "" }, is(ErrNoSignature)},
	}
	kr := keyring(t, "ed25519")
	signed := string(fixture(t, "ed25519.clearsigned"))
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VerifyClearSigned([]byte(tt.edit(signed)), kr, testNow)
			if err == nil {
				t.Fatalf("verified: %q", v.Text)
			}
			tt.check(t, err)
		})
	}
}

// TestGoCryptoDecodeIsLax records why the framing is checked here rather
// than by clearsign.Decode: it skips text before the message and leaves
// what follows to the caller.
func TestGoCryptoDecodeIsLax(t *testing.T) {
	signed := fixture(t, "ed25519.clearsigned")
	b, rest := clearsign.Decode(append([]byte("Origin: evil\n"), signed...))
	if b == nil || len(rest) != 0 {
		t.Skip("clearsign.Decode now refuses text before the message")
	}
	if _, err := VerifyClearSigned(append([]byte("Origin: evil\n"), signed...), keyring(t, "ed25519"), testNow); !errors.Is(err, ErrMalformed) {
		t.Errorf("VerifyClearSigned: %v", err)
	}
}

// withDigest returns a binary signature with its digest algorithm byte
// set to id (which breaks the signature, but a weak digest is refused
// before the signature is checked).
func withDigest(t testing.TB, sig []byte, id byte) []byte {
	t.Helper()
	op, err := packet.NewOpaqueReader(bytes.NewReader(sig)).Next()
	if err != nil {
		t.Fatal(err)
	}
	op.Contents[3] = id
	var out bytes.Buffer
	if err := op.Serialize(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestClearSignedText(t *testing.T) {
	// The text of a message signed by an unknown key: for trusted=yes.
	text, err := ClearSignedText(fixture(t, "untrusted.clearsigned"))
	if err != nil || !bytes.Equal(text, releaseText(t)) {
		t.Errorf("text %q, %v", text, err)
	}
	if _, err := ClearSignedText(append([]byte("Origin: evil\n"), fixture(t, "untrusted.clearsigned")...)); !errors.Is(err, ErrMalformed) {
		t.Errorf("text before: %v", err)
	}
	if _, err := ClearSignedText([]byte("Origin: plain\n")); !errors.Is(err, ErrNoSignature) {
		t.Errorf("plain: %v", err)
	}
}
