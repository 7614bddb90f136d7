package install

import (
	"io/fs"
	"os"
	"sort"
	"syscall"

	"aim/db"
)

// keptDir is a directory of a package being removed, as it stood before
// the removal: a rollback puts it back when a maintainer script deleted
// it (man-db's postrm purge deletes /var/cache/man, owned by man:man).
type keptDir struct {
	Path     string
	Mode     fs.FileMode
	UID, GID int
}

// dirsOf records the directories among files as they stand under root,
// parents first.
func dirsOf(root string, files []db.File) []keptDir {
	var out []keptDir
	for _, f := range files {
		if f.Type != 'd' {
			continue
		}
		host, err := hostPath(root, f.Path)
		if err != nil {
			continue
		}
		fi, err := os.Lstat(host)
		if err != nil || !fi.IsDir() {
			continue
		}
		d := keptDir{Path: f.Path, Mode: fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			d.UID, d.GID = int(st.Uid), int(st.Gid)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// restoreDirs recreates, parents first, the directories of dirs that are
// missing, with their owner and mode; one that cannot be made is left
// out (its files' restore then says why).
func restoreDirs(root string, dirs []keptDir) {
	for _, d := range dirs {
		host, err := hostPath(root, d.Path)
		if err != nil {
			continue
		}
		if _, err := os.Lstat(host); err == nil || os.Mkdir(host, 0o700) != nil {
			continue
		}
		os.Lchown(host, d.UID, d.GID)
		os.Chmod(host, d.Mode)
	}
}
