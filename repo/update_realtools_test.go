package repo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo/pgp"
	"aim/repo/sources"
)

// toolRepo is a repository made by the real tools: packages built by
// dpkg-deb, indexed by apt-ftparchive, signed by gpg, served over HTTP.
type toolRepo struct {
	t      *testing.T
	dir    string // the served tree
	gnupg  string // GNUPGHOME with the signing key
	other  string // GNUPGHOME with a key nobody trusts
	pubkey []byte // the signing key, armored
	srv    *httptest.Server
}

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (make test installs it)", tool)
		}
	}
}

func (r *toolRepo) run(env []string, name string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		r.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

func newToolRepo(t *testing.T) *toolRepo {
	requireTools(t, "dpkg-deb", "apt-ftparchive", "gpg", "xz", "gzip")
	r := &toolRepo{t: t, dir: t.TempDir(), gnupg: t.TempDir(), other: t.TempDir()}
	for _, home := range []string{r.gnupg, r.other} {
		r.run([]string{"GNUPGHOME=" + home}, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Repo Test <repo@example.org>", "ed25519", "sign", "never")
	}
	r.pubkey = []byte(r.run([]string{"GNUPGHOME=" + r.gnupg}, "gpg", "--armor", "--export"))
	r.addPackage("demo-app", "1.0", "user/games")
	r.addPackage("demo-lib", "2.0", "libs")
	r.publish("stable", "")
	r.srv = httptest.NewServer(http.FileServer(http.Dir(r.dir)))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *toolRepo) addPackage(name, version, section string) {
	tree := filepath.Join(r.t.TempDir(), name)
	os.MkdirAll(filepath.Join(tree, "DEBIAN"), 0o755)
	os.MkdirAll(filepath.Join(tree, "usr/share/doc", name), 0o755)
	os.WriteFile(filepath.Join(tree, "usr/share/doc", name, "README"), []byte(name+" "+version+"\n"), 0o644)
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nSection: %s\nMaintainer: T <t@example.org>\nDescription: %s for tests\n", name, version, section, name)
	os.WriteFile(filepath.Join(tree, "DEBIAN/control"), []byte(control), 0o644)
	pool := filepath.Join(r.dir, "pool/main")
	os.MkdirAll(pool, 0o755)
	r.run(nil, "dpkg-deb", "--root-owner-group", "--build", tree, filepath.Join(pool, name+"_"+version+"_all.deb"))
}

// publish indexes the pool and signs the Release; extra is added to the
// Release's header fields (e.g. "Valid-Until: ...").
func (r *toolRepo) publish(suite, extra string) {
	bin := filepath.Join(r.dir, "dists", suite, "main/binary-amd64")
	os.MkdirAll(bin, 0o755)
	pk := r.run(nil, "apt-ftparchive", "packages", "pool")
	os.WriteFile(filepath.Join(bin, "Packages"), []byte(pk), 0o644)
	r.run(nil, "sh", "-c", "xz -kf "+bin+"/Packages && gzip -kf "+bin+"/Packages")
	rel := r.run(nil, "apt-ftparchive", "-o", "APT::FTPArchive::Release::Suite="+suite, "-o", "APT::FTPArchive::Release::Codename="+suite,
		"-o", "APT::FTPArchive::Release::Architectures=amd64", "-o", "APT::FTPArchive::Release::Components=main", "release", "dists/"+suite)
	if extra != "" {
		rel = extra + "\n" + rel
	}
	r.sign(suite, rel, r.gnupg)
}

func (r *toolRepo) sign(suite, release, home string) {
	d := filepath.Join(r.dir, "dists", suite)
	os.WriteFile(filepath.Join(d, "Release"), []byte(release), 0o644)
	env := []string{"GNUPGHOME=" + home}
	r.run(env, "gpg", "--batch", "--yes", "--clearsign", "-o", filepath.Join(d, "InRelease"), filepath.Join(d, "Release"))
	r.run(env, "gpg", "--batch", "--yes", "-abs", "-o", filepath.Join(d, "Release.gpg"), filepath.Join(d, "Release"))
}

// touch moves the modification time of every served file by d, as a
// later change of the repository would.
func (r *toolRepo) touch(d time.Duration) {
	t := time.Now().Add(d)
	filepath.Walk(filepath.Join(r.dir, "dists"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.Chtimes(p, t, t)
		}
		return nil
	})
}

func (r *toolRepo) source() sources.Source {
	return sources.Source{Name: "test", Types: []string{"deb"}, URIs: []string{r.srv.URL}, Suites: []string{"stable"}, Components: []string{"main"}, Enabled: true}
}

func (r *toolRepo) root() string {
	root := r.t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/aim/trusted.gpg.d"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/trusted.gpg.d/test.asc"), r.pubkey, 0o644)
	return root
}

func cachedVersion(t *testing.T, root, name string) string {
	t.Helper()
	c, err := OpenCache(filepath.Join(root, CacheFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if l := c.Lookup(name); len(l) > 0 {
		return l[0].Version
	}
	return ""
}

func TestUpdateToolRepository(t *testing.T) {
	r := newToolRepo(t)
	root := r.root()
	u := newUpdater(t, root)
	if _, err := u.Update(context.Background(), []sources.Source{r.source()}); err != nil {
		t.Fatal(err)
	}
	if v := cachedVersion(t, root, "demo-app"); v != "1.0" {
		t.Fatalf("demo-app version %q", v)
	}
	// Unchanged: InRelease is answered 304 and nothing else is fetched.
	var events []UpdateEvent
	u.Event = func(e UpdateEvent) { events = append(events, e) }
	if res, err := u.Update(context.Background(), []sources.Source{r.source()}); err != nil || !res[0].Unchanged {
		t.Fatalf("second update: %+v %v", res, err)
	}
	if len(events) != 4 || events[1].What != "unchanged" || events[2].What != "unchanged" || !strings.HasSuffix(events[1].URL, "InRelease") {
		t.Errorf("second update events: %+v", events)
	}
	// A 304 does not keep trusting a key the user removed since.
	keyFile := filepath.Join(root, "etc/aim/trusted.gpg.d/test.asc")
	os.Rename(keyFile, keyFile+".off")
	if _, err := u.Update(context.Background(), []sources.Source{r.source()}); err == nil || !strings.Contains(err.Error(), "unknown key") {
		t.Fatalf("update after removing the key: %v", err)
	}
	os.Rename(keyFile+".off", keyFile)
	// Release without InRelease: the detached signature is used.
	os.Remove(filepath.Join(r.dir, "dists/stable/InRelease"))
	r.addPackage("demo-app", "1.1", "user/games")
	r.publish("stable", "")
	os.Remove(filepath.Join(r.dir, "dists/stable/InRelease"))
	r.touch(time.Minute)
	if _, err := u.Update(context.Background(), []sources.Source{r.source()}); err != nil {
		t.Fatalf("Release + Release.gpg: %v", err)
	}
	if v := cachedVersion(t, root, "demo-app"); v != "1.1" {
		t.Fatalf("after the detached-signature update demo-app is %q", v)
	}
}

// TestUpdateRefusesTampering changes one piece of a good repository at a
// time and checks that the update fails with a clear message while the
// packages of the last good update stay available.
func TestUpdateRefusesTampering(t *testing.T) {
	r := newToolRepo(t)
	inRelease := filepath.Join(r.dir, "dists/stable/InRelease")
	good := map[string][]byte{}
	for _, f := range []string{"dists/stable/InRelease", "dists/stable/Release", "dists/stable/Release.gpg",
		"dists/stable/main/binary-amd64/Packages", "dists/stable/main/binary-amd64/Packages.xz", "dists/stable/main/binary-amd64/Packages.gz"} {
		good[f], _ = os.ReadFile(filepath.Join(r.dir, f))
	}
	restore := func() {
		for f, b := range good {
			os.WriteFile(filepath.Join(r.dir, f), b, 0o644)
		}
	}
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC1123)
	past := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC1123)
	tests := []struct {
		name   string
		tamper func(root string)
		want   string
	}{
		{"signed text changed", func(string) {
			b, _ := os.ReadFile(inRelease)
			os.WriteFile(inRelease, []byte(strings.Replace(string(b), "Suite: stable", "Suite: stablf", 1)), 0o644)
		}, "signature"},
		{"text added after the signature", func(string) {
			b, _ := os.ReadFile(inRelease)
			os.WriteFile(inRelease, append(b, "Package: evil\n"...), 0o644)
		}, "clear-signed"},
		{"signed by another key", func(string) {
			rel, _ := os.ReadFile(filepath.Join(r.dir, "dists/stable/Release"))
			r.sign("stable", string(rel), r.other)
		}, "unknown key"},
		{"trusted key removed", func(root string) {
			os.Remove(filepath.Join(root, "etc/aim/trusted.gpg.d/test.asc"))
		}, "unknown key"},
		{"bad InRelease does not fall back to Release.gpg", func(string) {
			os.WriteFile(inRelease, []byte("-----BEGIN PGP SIGNED MESSAGE-----\ngarbage\n"), 0o644)
		}, "clear-signed"},
		{"index changed", func(string) {
			r.addPackage("demo-app", "1.2", "user/games")
			r.publish("stable", "")
			for _, f := range []string{"Packages", "Packages.xz", "Packages.gz"} {
				p := filepath.Join(r.dir, "dists/stable/main/binary-amd64", f)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, append(b, '\n'), 0o644)
			}
		}, "mismatch"},
		{"expired", func(string) { r.publish("stable", "Valid-Until: "+past) }, "expired"},
		{"from the future", func(string) {
			rel, _ := os.ReadFile(filepath.Join(r.dir, "dists/stable/Release"))
			lines := strings.Split(string(rel), "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "Date:") {
					lines[i] = "Date: " + future
				}
			}
			r.sign("stable", strings.Join(lines, "\n"), r.gnupg)
		}, "in the future"},
		{"suite mismatch", func(string) {
			rel, _ := os.ReadFile(filepath.Join(r.dir, "dists/stable/Release"))
			r.sign("stable", strings.ReplaceAll(string(rel), "stable", "testing"), r.gnupg)
		}, "not \"stable\""},
		{"unsigned", func(string) {
			os.Remove(inRelease)
			os.Remove(filepath.Join(r.dir, "dists/stable/Release.gpg"))
		}, "not signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			restore()
			root := r.root()
			u := newUpdater(t, root)
			if _, err := u.Update(context.Background(), []sources.Source{r.source()}); err != nil {
				t.Fatalf("good update: %v", err)
			}
			tt.tamper(root)
			r.touch(time.Minute) // HTTP dates have a resolution of a second
			_, err := u.Update(context.Background(), []sources.Source{r.source()})
			var ue *UpdateError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "test") {
				t.Fatalf("got %v, want an update error about %q naming the source", err, tt.want)
			}
			if v := cachedVersion(t, root, "demo-app"); v != "1.0" {
				t.Errorf("after the failed update demo-app is %q, want the old 1.0", v)
			}
			st, _ := u.DB.SourceState("test")
			if st == nil || st.LastError == "" {
				t.Errorf("source state does not record the failure: %+v", st)
			}
			if left, _ := filepath.Glob(filepath.Join(root, ListsDir, ".*")); len(left) > 0 {
				t.Errorf("staged files left in the lists: %v", left)
			}
		})
	}
	var unknown *pgp.UnknownSignerError
	restore()
	root := r.root()
	os.Remove(filepath.Join(root, "etc/aim/trusted.gpg.d/test.asc"))
	_, err := newUpdater(t, root).Update(context.Background(), []sources.Source{r.source()})
	if !errors.As(err, &unknown) || len(unknown.ID()) < 16 {
		t.Errorf("an untrusted signer gives %v, want *pgp.UnknownSignerError with the fingerprint", err)
	}
}
