package db

import (
	"fmt"
	"os"
	"testing"
)

// benchDB returns the root of a database holding n installed packages.
func benchDB(b *testing.B, n int) (string, []*InstalledPackage) {
	b.Helper()
	d, root := openTest(b)
	pkgs := manyPackages(b, n)
	if err := putAll(d, pkgs); err != nil {
		b.Fatal(err)
	}
	if err := d.Close(); err != nil {
		b.Fatal(err)
	}
	return root, pkgs
}

func putAll(d *DB, pkgs []*InstalledPackage) error {
	return d.Update(func(tx *Tx) error {
		for _, p := range pkgs {
			if err := tx.PutInstalled(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkPutInstalled2000 stores 2,000 new packages in one transaction.
func BenchmarkPutInstalled2000(b *testing.B) {
	d, _ := openTest(b)
	pkgs := manyPackages(b, 2000)
	for b.Loop() {
		b.StopTimer()
		if _, err := d.sql.Exec(`DELETE FROM installed`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := putAll(d, pkgs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstalled looks one package up among 2,000.
func BenchmarkInstalled(b *testing.B) {
	root, pkgs := benchDB(b, 2000)
	d, err := Open(root)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	i := 0
	for b.Loop() {
		if _, err := d.Installed(pkgs[i%len(pkgs)].Name, ""); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

// BenchmarkInstalledPackages lists 2,000 installed packages.
func BenchmarkInstalledPackages(b *testing.B) {
	root, _ := benchDB(b, 2000)
	d, err := Open(root)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for b.Loop() {
		if _, err := d.InstalledPackages(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenQueryClose is what every CLI command pays: open an existing
// database, look one package up, close.
func BenchmarkOpenQueryClose(b *testing.B) {
	root, pkgs := benchDB(b, 2000)
	opens := []struct {
		name string
		open func(string, ...Option) (*DB, error)
	}{{"ReadWrite", Open}, {"ReadOnly", OpenReadOnly}}
	for _, o := range opens {
		b.Run(o.name, func(b *testing.B) {
			for b.Loop() {
				d, err := o.open(root)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.Installed(pkgs[0].Name, ""); err != nil {
					b.Fatal(err)
				}
				if err := d.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadDpkgStatus reads this machine's dpkg status file.
func BenchmarkReadDpkgStatus(b *testing.B) {
	if _, err := os.Stat("/" + DpkgStatusPath); err != nil {
		b.Skip("no dpkg status file on this machine")
	}
	for b.Loop() {
		if _, err := ReadDpkgStatus("/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetFiles records 5,000 files of one package in one
// transaction, about what installing perl and libperl records.
func BenchmarkSetFiles(b *testing.B) {
	d, _ := openTest(b)
	pkgs := manyPackages(b, 1)
	if err := putAll(d, pkgs); err != nil {
		b.Fatal(err)
	}
	files := make([]File, 5000)
	for i := range files {
		files[i] = File{Path: fmt.Sprintf("/usr/share/perl/5.36/module%04d.pm", i), Type: 'f', Mode: 0o644,
			Size: int64(i), SHA256: fmt.Sprintf("%064x", i)}
	}
	for b.Loop() {
		if err := d.Update(func(tx *Tx) error {
			return tx.SetFiles(pkgs[0].Name, "", files)
		}); err != nil {
			b.Fatal(err)
		}
	}
}
