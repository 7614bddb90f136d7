package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"aim/deb"
	"aim/deb/rootfs"
)

// debBuildFlags are the flags of "aim deb build".
type debBuildFlags struct {
	compression string
	level       int
	builtin     bool
}

func setupDebBuild(fs *pflag.FlagSet) func(*env, []string) error {
	f := &debBuildFlags{}
	fs.StringVarP(&f.compression, "compression", "Z", string(deb.DefaultCompression),
		"compress with `TYPE`: gzip, xz, zstd or none (build)")
	fs.IntVarP(&f.level, "level", "z", 0, "compression `LEVEL` (build; 0: the compressor's default)")
	fs.BoolVar(&f.builtin, "builtin-compressors", false,
		"compress with aim's own encoders, not the system's xz and gzip: bytes that do not depend on their versions (build)")
	return func(e *env, args []string) error { return runDebBuild(e, f, args) }
}

// debBuildResult is what --json prints for a build.
type debBuildResult struct {
	Package      string `json:"package"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	File         string `json:"file"`
	Size         int64  `json:"size"`
}

func runDebBuild(e *env, f *debBuildFlags, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return usageError("usage: aim deb build [-Z gzip|xz|zstd|none] DIR [OUT.deb|OUTDIR]")
	}
	c, err := deb.ParseCompression(f.compression)
	if err != nil {
		return err
	}
	sde, err := sourceDateEpoch()
	if err != nil {
		return err
	}
	opts := deb.BuildOptions{Compression: c, Level: f.level, SourceDateEpoch: sde, SystemCompressors: !f.builtin,
		Warn: func(msg string) { fmt.Fprintf(e.stderr, "aim: warning: %s\n", msg) }}
	dir := args[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	out, outIsDir, err := buildTarget(dir, args[1:])
	if err != nil {
		return err
	}
	res, err := buildTo(os.DirFS(dir), out, outIsDir, opts)
	if err != nil {
		return err
	}
	if e.g.json {
		return writeJSON(e.stdout, res)
	}
	if !e.g.quiet {
		fmt.Fprintf(e.stdout, "building package '%s' in '%s'.\n", res.Package, res.File)
	}
	return nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH, as dpkg-deb does.
func sourceDateEpoch() (*time.Time, error) {
	v, ok := os.LookupEnv("SOURCE_DATE_EPOCH")
	if !ok || v == "" {
		return nil, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return nil, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q", v)
	}
	t := time.Unix(sec, 0)
	return &t, nil
}

// buildTarget returns where to write: OUT as given, DIR.deb by default
// (as dpkg-deb), or a directory to hold PKG_VER_ARCH.deb.
func buildTarget(dir string, rest []string) (string, bool, error) {
	if len(rest) == 0 {
		return strings.TrimRight(filepath.Clean(dir), "/") + ".deb", false, nil
	}
	fi, err := os.Stat(rest[0])
	if err == nil && fi.IsDir() {
		return rest[0], true, nil
	}
	return rest[0], false, nil
}

// buildTo builds into a temporary file next to the target and renames it
// into place, so that a failed build leaves no partial package.
func buildTo(fsys fs.FS, out string, outIsDir bool, opts deb.BuildOptions) (*debBuildResult, error) {
	tmpDir := filepath.Dir(out)
	if outIsDir {
		tmpDir = out
	}
	tmp, err := rootfs.CreateAtomic(tmpDir)
	if err != nil {
		return nil, err
	}
	defer tmp.Abort()
	p, err := deb.Build(fsys, tmp, opts)
	if err != nil {
		return nil, err
	}
	id := deb.IdentityOf(p)
	res := &debBuildResult{Package: id.Package, Version: id.Version, Architecture: id.Architecture, File: out}
	if outIsDir {
		name, err := id.FileName()
		if err != nil {
			return nil, err
		}
		res.File = filepath.Join(out, name)
	}
	if err := tmp.Commit(res.File, 0o644); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(res.File); err == nil {
		res.Size = fi.Size()
	}
	return res, nil
}
