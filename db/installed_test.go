package db

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"aim/deb"
)

func TestInstalledRoundTrip(t *testing.T) {
	d, _ := openTest(t)
	tests := []struct {
		name string
		pkg  *InstalledPackage
	}{
		{"full", testPackage(t, "hello", "1:2.10-3")},
		{"auto user", func() *InstalledPackage {
			p := testPackage(t, "libfoo1", "0.9~rc1")
			p.Auto, p.User, p.Origin = true, true, ""
			return p
		}()},
		{"no control", func() *InstalledPackage {
			p := testPackage(t, "bare", "1")
			p.Control = nil
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := d.PutInstalled(tt.pkg); err != nil {
				t.Fatal(err)
			}
			got, err := d.Installed(tt.pkg.Name, "")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.pkg) {
				t.Errorf("Installed(%s) =\n%+v\nwant\n%+v", tt.pkg.Name, got, tt.pkg)
			}
		})
	}
	all, err := d.InstalledPackages()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "bare hello libfoo1" {
		t.Errorf("InstalledPackages names = %q, want sorted", got)
	}
}

func TestPutInstalledUpgradesInPlace(t *testing.T) {
	d, _ := openTest(t)
	if err := d.PutInstalled(testPackage(t, "hello", "1.0")); err != nil {
		t.Fatal(err)
	}
	id := func() (id int64) {
		d.sql.QueryRow(`SELECT id FROM installed WHERE name = 'hello'`).Scan(&id)
		return id
	}
	before := id()
	up := testPackage(t, "hello", "2.0")
	up.InstalledAt = time.Time{}
	if err := d.PutInstalled(up); err != nil {
		t.Fatal(err)
	}
	got, _ := d.Installed("hello", "")
	if got.Version.String() != "2.0" || id() != before {
		t.Errorf("after upgrade: version %s, id %d; want 2.0 and id %d", got.Version, id(), before)
	}
	if time.Since(got.InstalledAt) > time.Minute {
		t.Errorf("zero InstalledAt stored as %v, want now", got.InstalledAt)
	}
}

func TestInstalledNotFound(t *testing.T) {
	d, _ := openTest(t)
	ops := map[string]error{
		"DeleteInstalled": d.DeleteInstalled("absent", ""),
		"SetAuto":         d.SetAuto("absent", "", true),
	}
	_, ops["Installed"] = d.Installed("absent", "")
	for name, err := range ops {
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "absent") {
			t.Errorf("%s(absent) = %v, want ErrNotFound naming the package", name, err)
		}
	}
	if all, err := d.InstalledPackages(); len(all) != 0 || err != nil {
		t.Errorf("InstalledPackages of a new database = %v, %v", all, err)
	}
}

func TestDeleteAndSetAuto(t *testing.T) {
	d, _ := openTest(t)
	d.PutInstalled(testPackage(t, "a", "1"))
	d.PutInstalled(testPackage(t, "b", "1"))
	if err := d.SetAuto("a", "", true); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.Installed("a", ""); !p.Auto {
		t.Error("SetAuto(a, true) not recorded")
	}
	if err := d.SetAuto("a", "", false); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.Installed("a", ""); p.Auto {
		t.Error("SetAuto(a, false) not recorded")
	}
	if err := d.DeleteInstalled("a", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Installed("a", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Installed(a) after delete: %v", err)
	}
	if _, err := d.Installed("b", ""); err != nil {
		t.Errorf("b lost: %v", err)
	}
}

func TestPutInstalledRejects(t *testing.T) {
	d, _ := openTest(t)
	tests := []struct {
		name   string
		change func(*InstalledPackage)
		want   string
	}{
		{"dpkg package", func(p *InstalledPackage) { p.FromDpkg = true }, "dpkg"},
		{"bad name", func(p *InstalledPackage) { p.Name = "-x" }, "invalid package name"},
		{"no version", func(p *InstalledPackage) { p.Version = deb.Version{} }, "no version"},
		{"no architecture", func(p *InstalledPackage) { p.Architecture = "" }, "architecture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPackage(t, "hello", "1.0")
			tt.change(p)
			if err := d.PutInstalled(p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PutInstalled = %v, want an error about %q", err, tt.want)
			}
		})
	}
	if all, _ := d.InstalledPackages(); len(all) != 0 {
		t.Errorf("rejected packages stored: %v", all)
	}
}

func TestInstalledManyInOneTransaction(t *testing.T) {
	d, _ := openTest(t)
	pkgs := manyPackages(t, 2000)
	start := time.Now()
	err := d.Update(func(tx *Tx) error {
		for _, p := range pkgs {
			if err := tx.PutInstalled(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("PutInstalled of %d packages in one transaction: %v", len(pkgs), time.Since(start))
	all, err := d.InstalledPackages()
	if err != nil || len(all) != len(pkgs) {
		t.Fatalf("InstalledPackages: %d packages, %v; want %d", len(all), err, len(pkgs))
	}
}

func manyPackages(t testing.TB, n int) []*InstalledPackage {
	pkgs := make([]*InstalledPackage, n)
	for i := range pkgs {
		pkgs[i] = testPackage(t, "pkg"+strings.Repeat("x", i%7)+strconv.Itoa(i), "1.0-"+strconv.Itoa(i%13+1))
	}
	return pkgs
}
