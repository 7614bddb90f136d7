package db

import (
	"errors"
	"reflect"
	"testing"
)

// TestMigrateV2ToV3 makes a database with the schema of version 2 (one
// row per name), fills it as that aim did, and checks that opening it
// migrates in place: ids, files and conffiles kept, conffiles of a
// removed package kept without an architecture, and a second instance of
// the package then storable beside the first.
func TestMigrateV2ToV3(t *testing.T) {
	root := t.TempDir()
	old, err := Open(root, withMigrations(migrations[:2]))
	if err != nil {
		t.Fatal(err)
	}
	hello := testPackage(t, "hello", "1.0-1")
	id := putOld(t, old, hello)
	for _, q := range []string{
		`INSERT INTO files (package, path, type, mode, size, sha256) VALUES (?, '/usr/bin/hello', 'f', 493, 3, 'abc')`,
		`INSERT INTO files (package, path, type, mode, conffile) VALUES (?, '/etc/hello.conf', 'f', 420, 1)`,
	} {
		if _, err := old.sql.Exec(q, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO conffiles (package, path, sha256) VALUES ('hello', '/etc/hello.conf', 'h1')`,
		`INSERT INTO conffiles (package, path, sha256) VALUES ('gone', '/etc/gone.conf', 'g1')`,
	} {
		if _, err := old.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != versionText(SchemaVersion) {
		t.Fatalf("user_version = %s, want %d", v, SchemaVersion)
	}
	got, err := d.Installed("hello", "amd64")
	if err != nil || !reflect.DeepEqual(got, hello) {
		t.Fatalf("Installed(hello, amd64) after migration = %+v, %v; want %+v", got, err, hello)
	}
	if newID, _, err := d.packageID("hello", "amd64"); err != nil || newID != id {
		t.Errorf("id after migration = %d, %v; want %d", newID, err, id)
	}
	files, err := d.Files("hello", "amd64")
	if err != nil || len(files) != 2 || files[1].Path != "/usr/bin/hello" || files[1].SHA256 != "abc" || !files[0].Conffile {
		t.Errorf("Files after migration = %+v, %v", files, err)
	}
	if c, err := d.Conffiles("hello", "amd64"); err != nil || !reflect.DeepEqual(c, map[string]string{"/etc/hello.conf": "h1"}) {
		t.Errorf("Conffiles(hello, amd64) = %v, %v", c, err)
	}
	var arch string
	if err := d.sql.QueryRow(`SELECT architecture FROM conffiles WHERE package = 'gone'`).Scan(&arch); err != nil || arch != "" {
		t.Errorf("architecture of a removed package's conffile = %q, %v; want ''", arch, err)
	}
	if c, err := d.Conffiles("gone", "i386"); err != nil || c["/etc/gone.conf"] != "g1" {
		t.Errorf("Conffiles of a removed package, unknown architecture = %v, %v", c, err)
	}

	// The migrated schema keeps its constraints: the foreign key still
	// cascades, and a second architecture's instance now fits.
	if err := d.PutInstalled(testInstance(t, "hello", "1.0-1", "i386")); err != nil {
		t.Fatalf("second instance after migration: %v", err)
	}
	if err := d.DeleteInstalled("hello", "amd64"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.sql.QueryRow(`SELECT count(*) FROM files`).Scan(&n); err != nil || n != 0 {
		t.Errorf("files of the deleted instance: %d rows, %v; want the cascade to drop them", n, err)
	}
	var fk int
	if err := d.sql.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check after migration: %d violations, %v", fk, err)
	}
}

// TestInstances stores two architectures' instances of one package and
// checks that every lookup keeps them apart.
func TestInstances(t *testing.T) {
	d, _ := openTest(t)
	amd, i386 := testInstance(t, "libz1", "1.2-1", "amd64"), testInstance(t, "libz1", "1.2-1", "i386")
	for _, p := range []*InstalledPackage{amd, i386, testPackage(t, "hello", "1")} {
		if err := d.PutInstalled(p); err != nil {
			t.Fatal(err)
		}
	}
	if all, err := d.Instances("libz1"); err != nil || len(all) != 2 || all[0].Architecture != "amd64" || all[1].Architecture != "i386" {
		t.Fatalf("Instances = %+v, %v", all, err)
	}
	if got, err := d.Installed("libz1", "i386"); err != nil || !reflect.DeepEqual(got, i386) {
		t.Errorf("Installed(libz1, i386) = %+v, %v", got, err)
	}
	if _, err := d.Installed("libz1", ""); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("Installed(libz1, \"\") = %v, want ErrAmbiguous", err)
	}
	if _, err := d.Installed("libz1", "arm64"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Installed(libz1, arm64) = %v, want ErrNotFound", err)
	}
	if p, err := d.Installed("hello", ""); err != nil || p.Architecture != "amd64" {
		t.Errorf("Installed(hello, \"\") = %v, %v; want the only instance", p, err)
	}

	shared := File{Path: "/usr/share/doc/libz1/copyright", Type: 'f', Mode: 0o644, Size: 5, SHA256: "c0"}
	for _, arch := range []string{"amd64", "i386"} {
		files := []File{shared, {Path: "/usr/lib/" + arch + "/libz.so.1", Type: 'f', Mode: 0o644}}
		if err := d.SetFiles("libz1", arch, files); err != nil {
			t.Fatal(err)
		}
	}
	want := []Owner{{"libz1", "amd64"}, {"libz1", "i386"}}
	if own, err := d.Owners(shared.Path); err != nil || !reflect.DeepEqual(own, want) {
		t.Errorf("Owners of a shared file = %v, %v; want %v", own, err, want)
	}
	if err := d.SetAuto("libz1", "i386", true); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.Installed("libz1", "amd64"); p.Auto {
		t.Error("SetAuto of the i386 instance marked the amd64 one")
	}
	if err := d.SetConffiles("libz1", "i386", map[string]string{"/etc/z.conf": "i"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.Conffiles("libz1", "amd64"); len(c) != 0 {
		t.Errorf("Conffiles(libz1, amd64) = %v, want the i386 instance's kept apart", c)
	}
	if err := d.DeleteInstalled("libz1", "amd64"); err != nil {
		t.Fatal(err)
	}
	if own, _ := d.Owners(shared.Path); !reflect.DeepEqual(own, want[1:]) {
		t.Errorf("Owners after removing one instance = %v, want %v", own, want[1:])
	}
	if files, err := d.Files("libz1", ""); err != nil || len(files) != 2 {
		t.Errorf("Files of the remaining instance = %v, %v", files, err)
	}
}

func TestMoveInstalled(t *testing.T) {
	d, _ := openTest(t)
	if err := d.PutInstalled(testPackage(t, "tool", "1")); err != nil {
		t.Fatal(err)
	}
	if err := d.SetFiles("tool", "amd64", []File{{Path: "/usr/bin/tool", Type: 'f', Mode: 0o755}}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetConffiles("tool", "amd64", map[string]string{"/etc/tool": "t"}); err != nil {
		t.Fatal(err)
	}
	if err := d.MoveInstalled("tool", "amd64", "all"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Installed("tool", "amd64"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old architecture still installed: %v", err)
	}
	if files, err := d.Files("tool", "all"); err != nil || len(files) != 1 {
		t.Errorf("files did not move: %v, %v", files, err)
	}
	if c, _ := d.Conffiles("tool", "all"); c["/etc/tool"] != "t" {
		t.Errorf("conffiles did not move: %v", c)
	}
	if err := d.MoveInstalled("tool", "amd64", "all"); !errors.Is(err, ErrNotFound) {
		t.Errorf("moving a missing instance: %v, want ErrNotFound", err)
	}
}
