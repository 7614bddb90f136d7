package publish

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/deb"
	"aim/repo/apttest"
)

// TestAptAcceptsPublishedRepository publishes a signed repository, serves
// it over HTTP and has the real apt-get update, download and simulate an
// install from it; then tampers with the InRelease and with an index and
// checks that apt refuses each.
func TestAptAcceptsPublishedRepository(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get not installed")
	}
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	addFillers(t, r, 300) // several compressed chunks
	publish(t, r, testNow, 0)
	srv := httptest.NewServer(http.FileServer(http.Dir(r.Dir)))
	defer srv.Close()
	key := filepath.Join(t.TempDir(), "repo.asc")
	data, _ := os.ReadFile(filepath.Join(r.Dir, "key.asc"))
	os.WriteFile(key, data, 0o644)
	a := apttest.New(t, "deb [signed-by="+key+"] "+srv.URL+" stable main")

	// The chunked .gz and .xz decompress, with the real tools, to the
	// uncompressed index.
	bin := filepath.Join(r.Dir, "dists/stable/main/binary-amd64")
	plain, _ := os.ReadFile(filepath.Join(bin, "Packages"))
	for _, tool := range []string{"gzip", "xz"} {
		ext := map[string]string{"gzip": ".gz", "xz": ".xz"}[tool]
		if _, err := exec.LookPath(tool); err != nil {
			continue
		}
		out, err := exec.Command(tool, "-dc", filepath.Join(bin, "Packages"+ext)).Output()
		if err != nil || !bytes.Equal(out, plain) {
			t.Errorf("%s -dc Packages%s: %v, %d bytes for %d", tool, ext, err, len(out), len(plain))
		}
	}
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update refused the repository:\n%s", out)
	}
	dl := t.TempDir()
	if out, err := a.Run(dl, "download", "demo-app"); err != nil {
		t.Fatalf("apt-get download: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(dl, "demo-app_1.0_all.deb"))
	want, _ := os.ReadFile(filepath.Join(r.Dir, "pool/main/d/demo-app/demo-app_1.0_all.deb"))
	if len(got) == 0 || !bytes.Equal(got, want) {
		t.Errorf("downloaded package differs from the pool's (%d bytes)", len(got))
	}
	out, err := a.Run(dl, "-s", "install", "demo-app", "libdemo1", "filler0", "filler299")
	if err != nil || !strings.Contains(out, "Inst demo-app (1.0 ") || !strings.Contains(out, "Inst libdemo1 (2.0-1 ") ||
		!strings.Contains(out, "Inst filler0 (1 ") || !strings.Contains(out, "Inst filler299 (1 ") {
		t.Fatalf("apt-get -s install: %v\n%s", err, out)
	}

	// A publish killed just before its switch leaves the previous
	// generation whole for apt; the next publish serves the new one.
	if _, err := r.Add([]string{buildTestDeb(t, t.TempDir(), "late", "1.0", "all", "", nil)}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	r.fault = func(step string) error {
		if strings.HasPrefix(step, "switch ") {
			return errFault
		}
		return nil
	}
	if _, err := r.Publish(Options{Signer: testSigner(t), Now: testNow.Add(time.Minute)}); !errors.Is(err, errFault) {
		t.Fatalf("publish with a fault at the switch: %v", err)
	}
	r.fault = nil
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update after a killed publish:\n%s", out)
	}
	if out, err := a.Run(dl, "-s", "install", "late"); err == nil {
		t.Fatalf("a killed publish served its package:\n%s", out)
	}
	publish(t, r, testNow.Add(2*time.Minute), 0)
	if out, ok := a.Update(); !ok {
		t.Fatalf("apt-get update after the next publish:\n%s", out)
	}
	if out, err := a.Run(dl, "-s", "install", "late"); err != nil || !strings.Contains(out, "Inst late (1.0 ") {
		t.Fatalf("apt-get -s install late: %v\n%s", err, out)
	}

	inRelease := filepath.Join(r.Dir, "dists/stable/InRelease")
	good, _ := os.ReadFile(inRelease)
	os.WriteFile(inRelease, bytes.Replace(good, []byte("Origin: Test"), []byte("Origin: Evil"), 1), 0o644)
	if out, ok := a.Update(); ok {
		t.Errorf("apt-get update accepted a tampered InRelease:\n%s", out)
	} else {
		t.Logf("tampered InRelease:\n%s", out)
	}
	os.WriteFile(inRelease, good, 0o644)

	// A tampered index, in every copy (named and by-hash), as a mirror
	// serving other contents would.
	rel := r.readRelease("dists/stable")
	text, _ := os.ReadFile(filepath.Join(r.Dir, "dists/stable/main/binary-amd64/Packages"))
	evil := bytes.Replace(text, []byte("Version: 1.0\n"), []byte("Version: 9.0\n"), 1)
	for _, c := range []deb.Compression{deb.None, deb.Gzip, deb.Xz} {
		p := "main/binary-amd64/Packages" + c.Extension()
		f, _ := rel.File(p)
		b := evil
		if c != deb.None {
			z, _ := compressIndex(p, c, evil)
			b = z.data
		}
		bh := byHashPaths("dists/stable", f)
		for _, name := range []string{bh[0], bh[1], "dists/stable/" + p} {
			os.WriteFile(filepath.Join(r.Dir, name), b, 0o644)
		}
	}
	if out, ok := a.Update(); ok {
		t.Errorf("apt-get update accepted a tampered Packages index:\n%s", out)
	} else {
		t.Logf("tampered index:\n%s", out)
	}
}
