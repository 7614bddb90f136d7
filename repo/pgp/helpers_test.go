package pgp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// keysDir holds the test keys (see its README).
const keysDir = "../../testdata/keys"

// Fingerprints of the test keys and their subkeys.
const (
	fprEd25519      = "EFA754EBCD1DD505D8DC6DD3CED452CFF8443D5B"
	fprEd25519Enc   = "65A5D7EDAB62B1BAE96E309A728FF8F3CF604A0D"
	fprRSA          = "4D92C79B154829B80F1891368A1CC3D2CF189026"
	fprRSASigning   = "44C2D2412957A0E7B22C2036F7F1345E38E84CBE"
	fprSHA1         = "27F91773624F9CF78C82F17202FD877367F35CE6"
	fprExpired      = "319B78BA9AB27898581EBDD9263C23D13C9F87C5"
	fprUntrusted    = "743D69ADECDDFB92B2D5CAD9CAAC13D66A2732A8"
	fprRevoked      = "AC8127EEE64363920A26BD880D9C174480AE0211"
	testKeysCreated = "2026-11-22"
)

// testNow is a time after the fixtures were signed, before any test key
// but the expired one expires.
var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// keyring loads the named test keys (NAME.asc in keysDir).
func keyring(t testing.TB, names ...string) *Keyring {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(keysDir, n+".asc"))
	}
	kr, err := LoadKeyring(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// fixture reads a file of testdata/.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// releaseText is what gpgv prints for the clear-signed fixtures: the
// lines of release.txt without trailing white space.
func releaseText(t testing.TB) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, l := range splitLines(fixture(t, "release.txt")) {
		out.Write(bytes.TrimRight(l, " \t"))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// signerFingerprints returns the primary fingerprints of v's signers.
func signerFingerprints(v *Verified) []string {
	var fprs []string
	for _, s := range v.Signers {
		fprs = append(fprs, s.Fingerprint)
	}
	return fprs
}
