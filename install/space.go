package install

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"aim/deb"
	"aim/deb/rootfs"
)

// SpaceError reports too little free disk space.
type SpaceError struct {
	Path       string
	Need, Free int64 // bytes
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("not enough free space in %s: need %s, have %s (%s more needed)",
		e.Path, sizeText(e.Need), sizeText(e.Free), sizeText(e.Need-e.Free))
}

func sizeText(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// checkSpace checks that the root has room for the archives still to
// download plus what the packages need once installed
// (Maemo-Required-Free-Space in KiB, else Installed-Size).
func (x *txn) checkSpace(beforeDownload bool) error {
	var need int64
	for _, s := range x.steps {
		if !s.c.Action.unpacks() {
			continue
		}
		need += x.needOf(s)
		if beforeDownload && s.c.Path == "" {
			if ok, _ := fileMatches(rootfs.Root(x.e.Root).Path(ArchivesDir, s.cached), s.c.Size, s.c.SHA256); !ok {
				need += s.c.Size
			}
		}
	}
	need += x.e.MinFree
	if need == 0 {
		return nil
	}
	free, err := freeSpace(x.e.Root)
	if err != nil {
		return err
	}
	if free < need {
		return &SpaceError{Path: x.e.Root, Need: need, Free: free}
	}
	return nil
}

// needOf returns the space a package needs once installed.
func (x *txn) needOf(s *step) int64 {
	if s.ctrl == nil {
		return s.c.Need
	}
	c := s.ctrl.Control
	if n, ok := kib(c, "Maemo-Required-Free-Space"); ok {
		return n
	}
	n, _ := kib(c, "Installed-Size")
	return n
}

// freeSpace returns the bytes available to an unprivileged user below
// root (root itself may use the reserved blocks too, but an installer
// should not count on them).
func freeSpace(root string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(root, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", root, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// fileMatches reports whether the file at p has the size and SHA-256.
func fileMatches(p string, size int64, sum string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || (size > 0 && fi.Size() != size) {
		return false, err
	}
	got, err := hashReader(f)
	return err == nil && got == sum, err
}

func hashReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashFile returns the SHA-256 of the file at p.
func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return hashReader(f)
}

// explainFull turns a write that failed for want of space (ENOSPC,
// EDQUOT) into a *SpaceError saying how much was missing: the unpacked
// size of every archive of the transaction against the space free once
// the rollback freed what staging took. Other errors are returned as
// they are.
func (x *txn) explainFull(err error) error {
	if !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, syscall.EDQUOT) {
		return err
	}
	need := x.e.MinFree
	for _, s := range x.steps {
		if s.c.Action.unpacks() {
			need += dataSize(s.archive)
		}
	}
	free, ferr := freeSpace(x.e.Root)
	if ferr != nil || need <= free {
		return err
	}
	return fmt.Errorf("%w: %w", &SpaceError{Path: x.e.Root, Need: need, Free: free}, err)
}

// dataSize returns the bytes the data of the archive at p takes once
// unpacked (its regular files); 0 when it cannot be read.
func dataSize(p string) int64 {
	f, err := os.Open(p)
	if err != nil {
		return 0
	}
	defer f.Close()
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		return 0
	}
	defer ar.Close()
	data, err := ar.Data()
	if err != nil {
		return 0
	}
	var n int64
	for {
		h, err := data.Next()
		if err != nil {
			return n
		}
		n += h.Size
	}
}
