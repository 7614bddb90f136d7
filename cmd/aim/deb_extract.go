package main

import (
	"aim/deb"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/pflag"

	"aim/deb/unpack"
)

func setupDebExtract(*pflag.FlagSet) func(*env, []string) error { return runDebExtract }

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
// its parents), and as root files get the owners of the archive.
func runDebExtract(e *env, args []string) error {
	if len(args) != 2 {
		return usageError("usage: aim deb extract FILE DIR")
	}
	dr, done, err := openDebData(args[0])
	if err != nil {
		return err
	}
	defer done()
	if err := os.Mkdir(args[1], 0777); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	entries, err := unpack.Extract(dr, args[1], unpack.Options{Chown: os.Geteuid() == 0})
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
