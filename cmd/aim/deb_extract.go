package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/deb/unpack"
)

func setupDebExtract(fs *pflag.FlagSet) func(*env, []string) error {
	maxSize := fs.Int64("max-size", 0, "stop when the files exceed this many bytes (default: twice the package's Installed-Size plus 64 MiB)")
	return func(e *env, args []string) error { return runDebExtract(e, args, *maxSize) }
}

// debExtractEntry is one entry of "aim deb extract --json".
type debExtractEntry struct {
	Path   string `json:"path"`
	Type   string `json:"type"`
	Mode   string `json:"mode"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Link   string `json:"link,omitempty"`
}

// runDebExtract works like dpkg-deb -x: DIR is created if missing (not
// its parents), and as root files get the owners of the archive. It
// stops at maxSize bytes of files, or, when that is 0, well past the
// package's Installed-Size (unpack.SizeLimit), so a bomb cannot fill the
// disk.
func runDebExtract(e *env, args []string, maxSize int64) error {
	if len(args) != 2 {
		return usageError("usage: aim deb extract FILE DIR")
	}
	f, ar, err := openDeb(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	defer ar.Close()
	if maxSize <= 0 {
		n, _ := strconv.ParseInt(strings.TrimSpace(ar.Control().Control.Get("Installed-Size")), 10, 64)
		maxSize = unpack.SizeLimit(n)
	}
	dr, err := ar.Data()
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if err := os.Mkdir(args[1], 0777); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	entries, err := unpack.Extract(dr, args[1], unpack.Options{Chown: os.Geteuid() == 0, MaxTotalSize: maxSize, SkipHash: !e.g.json})
	var le *unpack.LimitError
	if errors.As(err, &le) && !le.File {
		err = fmt.Errorf("%w (raise it with --max-size)", err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if !e.g.json {
		return nil
	}
	out := make([]debExtractEntry, 0, len(entries))
	for _, x := range entries {
		out = append(out, debExtractEntry{Path: x.Path, Type: tarTypeNames[x.Type],
			Mode: fmt.Sprintf("%04o", deb.UnixMode(x.Mode)), Size: x.Size, SHA256: x.SHA256, Link: x.Link})
	}
	return writeJSON(e.stdout, out)
}
