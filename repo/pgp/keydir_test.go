package pgp

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestAddKeysToDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trusted.gpg.d")
	kr := keyring(t, "ed25519", "rsa")
	for i, wantUnchanged := range []bool{false, true} {
		stored, err := AddKeysToDir(dir, kr)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != 2 {
			t.Fatalf("#%d: stored %d keys, want 2", i, len(stored))
		}
		for _, s := range stored {
			if s.Name != s.Key.Fingerprint+".asc" || s.Unchanged != wantUnchanged {
				t.Errorf("#%d: stored %s in %s (unchanged %v), want %s.asc (unchanged %v)", i, s.Key.Fingerprint, s.Name, s.Unchanged, s.Key.Fingerprint, wantUnchanged)
			}
			one, err := LoadKeyring(filepath.Join(dir, s.Name))
			if err != nil || one.Len() != 1 || !one.Has(s.Key.Fingerprint) {
				t.Errorf("#%d: %s holds %v keys (%v), want only its own", i, s.Name, one, err)
			}
		}
	}
}

func TestMergeAndRemoveKeyringFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := MergeIntoKeyringFile(dir, "src", keyring(t, "ed25519")); err != nil {
		t.Fatal(err)
	}
	stored, err := MergeIntoKeyringFile(dir, "src", keyring(t, "rsa"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].Name != "src.asc" || stored[0].Unchanged {
		t.Fatalf("merge stored %+v, want the rsa key in a changed src.asc", stored)
	}
	p := filepath.Join(dir, "src.asc")
	kr, err := LoadKeyring(p)
	if err != nil || !kr.Has(fprEd25519) || !kr.Has(fprRSA) {
		t.Fatalf("src.asc after merging: %v, %v; want both keys", kr, err)
	}
	if deleted, err := RemoveKeyFromFile(p, kr, fprRSA); err != nil || deleted {
		t.Fatalf("remove rsa: deleted %v, %v", deleted, err)
	}
	if kr, err = LoadKeyring(p); err != nil || kr.Has(fprRSA) || !kr.Has(fprEd25519) {
		t.Fatalf("src.asc after removing rsa: %v, %v", kr, err)
	}
	if deleted, err := RemoveKeyFromFile(p, kr, fprEd25519); err != nil || !deleted {
		t.Fatalf("remove the last key: deleted %v, %v", deleted, err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("src.asc still there after its last key went: %v", err)
	}
}

func TestMergeIntoBinaryKeyringFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteKeyringFile(filepath.Join(dir, "src.gpg"), keyring(t, "ed25519")); err != nil {
		t.Fatal(err)
	}
	stored, err := MergeIntoKeyringFile(dir, "src", keyring(t, "rsa"))
	if err != nil {
		t.Fatal(err)
	}
	if stored[0].Name != "src.gpg" {
		t.Errorf("merged into %s, want the existing src.gpg", stored[0].Name)
	}
	if _, err := os.Stat(filepath.Join(dir, "src.asc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("src.asc was created beside src.gpg: %v", err)
	}
}
