package dbus

import (
	"context"
	"errors"
	"testing"
	"time"

	"aim/db"
	"aim/install"
)

// TestServiceHoldsTheLockOnlyDuringTasks checks the service's use of
// the engine's door: while it idles, another writer (the command line)
// can open the root and install; while a task waits for its acknowledge
// (decided, not yet committed), no other writer gets in; after the task
// the root is free again and the signature record was written in the
// task's commit.
func TestServiceHoldsTheLockOnlyDuringTasks(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)

	// Idle service: the command line writes.
	other := buildDeb(t, t.TempDir(), pkgSpec{name: "other", version: "1.0", section: "utils"})
	in, err := install.Open(root, install.Options{ChrootlessScripts: true})
	if err != nil {
		t.Fatalf("open the root while the service idles: %v", err)
	}
	l, err := install.ReadLocal(other)
	if err != nil {
		t.Fatal(err)
	}
	d, err := in.Decide(install.Request{Kind: install.KindInstall, Locals: []install.LocalArchive{l}})
	if err == nil {
		_, err = in.Run(context.Background(), install.NewTask("install", "other", nil), d)
	}
	in.Close()
	if err != nil {
		t.Fatalf("install while the service idles: %v", err)
	}

	// A task between decision and commit holds the lock.
	path := buildDeb(t, t.TempDir(), pkgSpec{name: "hello", version: "1.0", section: "user/games", sign: true})
	id := c.str("startPackageInstallation", fileURL(path))
	c.until(id, "taskBlockingUntilInstallationAcknowledge")
	if in, err := install.Open(root, install.Options{LockWait: 100 * time.Millisecond}); err == nil {
		in.Close()
		t.Fatal("a second writer opened the root while a task awaited its acknowledge")
	} else if !errors.Is(err, db.ErrLocked) {
		t.Fatalf("second writer: %v, want the lock held", err)
	}
	c.call("acknowledgePackageInstallation", nil, id)
	c.until(id, "taskFinished")

	in, err = install.Open(root, install.Options{LockWait: 5 * time.Second})
	if err != nil {
		t.Fatalf("open after the task: %v", err)
	}
	defer in.Close()
	if v, err := in.DB().Meta(install.SignatureKey("hello")); err != nil || v == "" {
		t.Errorf("signature record of hello: %q, %v", v, err)
	}
	if _, err := in.DB().Meta(install.SignatureKey("other")); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("signature record of the unsigned other: %v", err)
	}
}
