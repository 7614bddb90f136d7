package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"aim/deb/rootfs"
)

// This file is the store of trusted keys as files: a directory that holds
// one key per file (FPR.asc), and keyring files that hold several keys
// and are merged into. Which directories those are under a root is the
// caller's business (see rootfs.TrustedKeysDir and rootfs.KeyringsDir).

// StoredKey is a key written to a keyring file.
type StoredKey struct {
	Key Key
	// Name is the file's name in its directory.
	Name string
	// Unchanged is true when the file already held exactly these bytes
	// and was left alone.
	Unchanged bool
}

// AddKeysToDir writes each key of kr to its own file dir/FPR.asc,
// creating dir when missing.
func AddKeysToDir(dir string, kr *Keyring) ([]StoredKey, error) {
	var stored []StoredKey
	for _, k := range kr.Keys() {
		one := kr.Select(func(o Key) bool { return o.Fingerprint == k.Fingerprint })
		name := k.Fingerprint + ".asc"
		unchanged, err := WriteKeyringFile(filepath.Join(dir, name), one)
		if err != nil {
			return nil, err
		}
		stored = append(stored, StoredKey{k, name, unchanged})
	}
	return stored, nil
}

// MergeIntoKeyringFile merges kr into the keyring file dir/NAME.asc, or
// dir/NAME.gpg when only that exists, creating it (as .asc) when neither
// does.
func MergeIntoKeyringFile(dir, name string, kr *Keyring) ([]StoredKey, error) {
	file := name + ".asc"
	if _, err := os.Stat(filepath.Join(dir, file)); errors.Is(err, fs.ErrNotExist) {
		if gpg := name + ".gpg"; exists(filepath.Join(dir, gpg)) {
			file = gpg
		}
	}
	p := filepath.Join(dir, file)
	merged := kr
	if exists(p) {
		old, err := LoadKeyring(p)
		if err != nil {
			return nil, err
		}
		if merged, err = old.Merge(kr); err != nil {
			return nil, err
		}
	}
	unchanged, err := WriteKeyringFile(p, merged)
	if err != nil {
		return nil, err
	}
	var stored []StoredKey
	for _, k := range kr.Keys() {
		stored = append(stored, StoredKey{k, file, unchanged})
	}
	return stored, nil
}

// RemoveKeyFromFile rewrites the keyring file path, which holds kr,
// without the key fpr, or deletes the file when no key is left. It
// reports whether it deleted the file.
func RemoveKeyFromFile(path string, kr *Keyring, fpr string) (deleted bool, err error) {
	rest := kr.Select(func(k Key) bool { return k.Fingerprint != fpr })
	if rest.Len() == 0 {
		if err := os.Remove(path); err != nil {
			return true, fmt.Errorf("remove key: %w", err)
		}
		return true, nil
	}
	_, err = WriteKeyringFile(path, rest)
	return false, err
}

// WriteKeyringFile writes kr to path, armored unless the name ends in
// ".gpg", atomically, creating its directory when missing. It reports
// whether the file already held exactly these bytes, and then leaves it
// alone.
func WriteKeyringFile(path string, kr *Keyring) (unchanged bool, err error) {
	var buf bytes.Buffer
	if strings.HasSuffix(path, ".gpg") {
		err = kr.WriteBinary(&buf)
	} else {
		err = kr.WriteArmored(&buf)
	}
	if err != nil {
		return false, err
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, buf.Bytes()) {
		return true, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("install key: %w", err)
	}
	if err := rootfs.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return false, nil
}

// exists reports whether name exists (as anything).
func exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}
