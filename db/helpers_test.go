package db

import (
	"testing"
	"time"

	"aim/deb"
)

// openTest opens a fresh database under a temporary root.
func openTest(t testing.TB, opts ...Option) (*DB, string) {
	t.Helper()
	root := t.TempDir()
	d, err := Open(root, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, root
}

// pragma returns the value of a PRAGMA as text.
func pragma(t testing.TB, d *DB, name string) string {
	t.Helper()
	var v string
	if err := d.sql.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// tableExists reports whether the database has a table called name.
func tableExists(t testing.TB, d *DB, name string) bool {
	t.Helper()
	var n int
	if err := d.sql.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func mustVersion(t testing.TB, s string) deb.Version {
	t.Helper()
	v, err := deb.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParagraph(t testing.TB, s string) *deb.Paragraph {
	t.Helper()
	p, err := deb.ParseParagraph([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testPackage returns an installed package called name with a control
// paragraph that agrees with its fields.
func testPackage(t testing.TB, name, version string) *InstalledPackage {
	t.Helper()
	return &InstalledPackage{
		Name:         name,
		Version:      mustVersion(t, version),
		Architecture: "amd64",
		Origin:       "main",
		InstalledAt:  time.Unix(1700000000, 0),
		Control: mustParagraph(t, "Package: "+name+"\nVersion: "+version+
			"\nArchitecture: amd64\nSection: user/office\nDescription: a test\n long text\n .\n more\n"),
	}
}

// putOld stores p in a database of an older schema (version 1 or 2,
// where installed.name is unique) with the SQL of that schema, as the
// aim of that version did, and returns its id.
func putOld(t testing.TB, d *DB, p *InstalledPackage) int64 {
	t.Helper()
	res, err := d.sql.Exec(`INSERT INTO installed (name, version, architecture, auto, user, origin, installed_at, control)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.Name, p.Version.String(), p.Architecture, p.Auto, p.User, p.Origin,
		p.InstalledAt.Unix(), p.Control.String())
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testInstance is testPackage for architecture arch.
func testInstance(t testing.TB, name, version, arch string) *InstalledPackage {
	t.Helper()
	p := testPackage(t, name, version)
	p.Architecture = arch
	p.Control.Set("Architecture", arch)
	p.Control.Set("Multi-Arch", "same")
	return p
}
