package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/repo/objstore/s3test"
)

// TestRepoPublishToBucket publishes with --to to a real S3 server, with
// endpoint and credentials from the AWS_* variables, and has aim update
// read the repository anonymously over HTTP from the bucket.
func TestRepoPublishToBucket(t *testing.T) {
	srv := s3test.Start(t)
	srv.PublicBucket(t, "fleet")
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	out := aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--to", "s3://fleet/apps", "--path-style")
	if !strings.Contains(out, "s3://fleet/apps/: ") || strings.Contains(out, " 0 uploaded") {
		t.Fatalf("publish --to: %q", out)
	}
	if out := aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--to", "s3://fleet/apps", "--path-style"); !strings.Contains(out, "s3://fleet/apps/: 0 uploaded") {
		t.Errorf("publish --to without change: %q", out)
	}
	if _, errs, code := aim(t, "repo", "publish", dir, "--key", repoTestKey, "--to", "s3://x/apps"); code == 0 || !strings.Contains(errs, "bucket name") {
		t.Errorf("publish --to a bad bucket: %d %q", code, errs)
	}

	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("architecture = amd64\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list"), []byte("deb "+srv.URL("fleet", "apps")+" stable main\n"), 0o644)
	aimOK(t, "--root", root, "key", "add", filepath.Join(dir, "key.asc"))
	if out, errs, code := aim(t, "--root", root, "update"); code != 0 {
		t.Fatalf("aim update from the bucket: %d\n%s%s", code, out, errs)
	}
	if out := aimOK(t, "--root", root, "show", "hello"); !strings.Contains(out, "Version: 1.0.0-1") {
		t.Errorf("aim show hello after update from the bucket:\n%s", out)
	}
}

// TestRepoSnapshotAndRollback drives snapshot create, list, diff, drop,
// publish --snapshot and rollback from the command line.
func TestRepoSnapshotAndRollback(t *testing.T) {
	dir := repoWithDemo(t, filepath.Join(t.TempDir(), "r"))
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey)
	if out := aimOK(t, "repo", "snapshot", "create", dir, "one"); out != "snapshot one: 1 packages\n" {
		t.Errorf("snapshot create: %q", out)
	}
	if _, errs, code := aim(t, "repo", "rollback", dir, "--key", repoTestKey); code == 0 || !strings.Contains(errs, "nothing to roll back to") {
		t.Errorf("rollback after one publish: %d %q", code, errs)
	}
	aimOK(t, "repo", "remove", dir, "hello")
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey)
	aimOK(t, "repo", "snapshot", "create", dir, "empty")
	if out := aimOK(t, "repo", "snapshot", "diff", dir, "one", "empty"); out != "stable  hello  all  1.0.0-1 -> -\n" {
		t.Errorf("snapshot diff: %q", out)
	}
	if out := aimOK(t, "repo", "snapshot", "list", dir); !strings.Contains(out, "one  ") || !strings.Contains(out, "  1 packages\n") || !strings.Contains(out, "empty  ") {
		t.Errorf("snapshot list: %q", out)
	}
	packages := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "dists/stable/main/binary-amd64/Packages"))
		return string(b)
	}
	if out := aimOK(t, "repo", "rollback", dir, "--key", repoTestKey); !strings.Contains(out, "stable: updated (1 packages") || !strings.Contains(packages(), "Package: hello\n") {
		t.Errorf("rollback: %q\n%s", out, packages())
	}
	aimOK(t, "repo", "publish", dir, "--key", repoTestKey, "--snapshot", "empty")
	if strings.Contains(packages(), "Package: hello\n") {
		t.Errorf("publish --snapshot empty still lists hello")
	}
	aimOK(t, "repo", "snapshot", "drop", dir, "one")
	if _, errs, code := aim(t, "repo", "publish", dir, "--key", repoTestKey, "--snapshot", "one"); code == 0 || !strings.Contains(errs, "no such snapshot") {
		t.Errorf("publish of a dropped snapshot: %d %q", code, errs)
	}
	if _, errs, code := aim(t, "repo", "snapshot", "create", dir, "../x"); code == 0 || !strings.Contains(errs, "snapshot name") {
		t.Errorf("snapshot with a bad name: %d %q", code, errs)
	}
}

// TestRepoMirrorCommands mirrors a repository published by aim, over
// HTTP, from the command line.
func TestRepoMirrorCommands(t *testing.T) {
	up := repoWithDemo(t, filepath.Join(t.TempDir(), "up"))
	aimOK(t, "repo", "publish", up, "--key", repoTestKey)
	srv := httptest.NewServer(http.FileServer(http.Dir(up)))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "fleet")
	aimOK(t, "repo", "init", dir, "--dist", "stable", "--arch", "amd64")
	if _, errs, code := aim(t, "repo", "mirror", "create", dir, "up", srv.URL, "stable", "main"); code != 2 || !strings.Contains(errs, "--keyring") {
		t.Errorf("mirror create without --keyring: %d %q", code, errs)
	}
	aimOK(t, "repo", "mirror", "create", dir, "up", srv.URL, "stable", "main", "--keyring", filepath.Join(up, "key.asc"), "--filter", "hello", "--with-deps")
	if out := aimOK(t, "repo", "mirror", "update", dir, "up", "--dry-run"); out != "hello 1.0.0-1 all\n" {
		t.Errorf("mirror update --dry-run: %q", out)
	}
	if out := aimOK(t, "repo", "mirror", "update", dir, "up"); out != "mirror up: 1 selected, 1 downloaded, 1 added, 0 removed (publish to serve them)\n" {
		t.Errorf("mirror update: %q", out)
	}
	if out := aimOK(t, "repo", "list", dir); !strings.Contains(out, "stable  main  hello  1.0.0-1  all") {
		t.Errorf("list after mirror update: %q", out)
	}
	if _, errs, code := aim(t, "repo", "mirror", "update", dir, "nope"); code == 0 || !strings.Contains(errs, "no such mirror") {
		t.Errorf("update of an unknown mirror: %d %q", code, errs)
	}
}
