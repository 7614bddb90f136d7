package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// BuildOptions tune Build.
type BuildOptions struct {
	// Compression of control.tar and data.tar; "" means DefaultCompression.
	Compression Compression
	// Level is the compression level; 0 means the compressor's dpkg-deb
	// default (gzip 9, xz 6, zstd 3).
	Level int
	// SourceDateEpoch, when set, clamps every file's mtime to it (as
	// dpkg-deb does with SOURCE_DATE_EPOCH) and is the ar member
	// timestamp. When nil, files keep their mtimes and the ar members are
	// stamped with the newest mtime of the tree, so the same tree always
	// gives the same bytes.
	SourceDateEpoch *time.Time
	// SystemCompressors compresses xz and gzip with the system's xz (XZ
	// Utils 5.4 or later, on every core) and gzip when they are installed,
	// as dpkg-deb uses liblzma and zlib: they are faster than the pure-Go
	// encoders (xz about 1.8 times less CPU, gzip -9 about 2.5 times). The
	// bytes are the same for any number of cores but may change with the
	// programs' versions; leave it false for bytes that depend on nothing
	// but the tree and options.
	SystemCompressors bool
	// Warn receives the problems dpkg-deb only warns about (missing
	// Maintainer or Description, a duplicated conffile, ...); nil drops
	// them.
	Warn func(msg string)
}

// builder holds the state of one Build call.
type builder struct {
	fsys    fs.FS
	opts    BuildOptions
	control *Paragraph
	ctrl    []*buildEntry // DEBIAN tree
	data    []*buildEntry // package tree without DEBIAN
	zstd    *zstd.Encoder // the zstd encoder, reused for data.tar

	out   io.WriteSeeker // w when it can seek, else nil
	start int64          // out's offset when Build started
	// onePass is set for a -Z none build to a seekable w: md5sums is
	// hashed while data.tar is written (see build_onepass.go).
	onePass  bool
	sumNames []string          // the paths md5sums lists, when onePass
	sums     map[string]string // hex sums of the files written, when onePass
	sumEntry *buildEntry       // the generated md5sums member, when onePass
}

// Build writes to w a binary package made from fsys, a tree holding the
// package's files and a DEBIAN directory with the control file, the
// maintainer scripts (preinst, postinst, prerm, postrm, config), conffiles
// and any other control member (checkrm, triggers, shlibs, md5sums...).
// It works like dpkg-deb --build --root-owner-group: it checks the control
// file, the scripts and conffiles as dpkg-deb does, and writes tar members
// in GNU format with entries named "./path" in dpkg-deb's order, owned by
// root:root. Unlike dpkg-deb it also adds what dh_md5sums and
// dpkg-gencontrol would: DEBIAN/md5sums when absent (regular files except
// conffiles) and Installed-Size when the control file lacks it.
//
// The same tree and options always give the same bytes. Build returns the
// control paragraph as written. w is written in one pass; when it is an
// io.WriteSeeker (a file), data.tar is streamed and its size patched in
// afterwards, otherwise the compressed data.tar is held in memory. An
// uncompressed build to an io.WriteSeeker reads the tree once: the
// generated md5sums is hashed as data.tar is written and filled in
// afterwards.
func Build(fsys fs.FS, w io.Writer, opts BuildOptions) (*Paragraph, error) {
	if opts.Compression == "" {
		opts.Compression = DefaultCompression
	}
	if _, err := ParseCompression(string(opts.Compression)); err != nil {
		return nil, err
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	b := &builder{fsys: fsys, opts: opts}
	if ws, ok := w.(io.WriteSeeker); ok {
		if pos, err := ws.Seek(0, io.SeekCurrent); err == nil {
			b.out, b.start = ws, pos
			b.onePass = opts.Compression == None
		}
	}
	ctrlTar, err := b.prepare()
	if err != nil {
		return nil, err
	}
	if err := b.writeArchive(w, ctrlTar); err != nil {
		return nil, err
	}
	return b.control, nil
}

// prepare checks the tree and returns the compressed control.tar.
func (b *builder) prepare() ([]byte, error) {
	fi, err := fs.Lstat(b.fsys, "DEBIAN")
	if err != nil {
		return nil, fmt.Errorf("control directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, errors.New("control directory DEBIAN is not a directory")
	}
	if m := UnixMode(fi.Mode()); m&07757 != 0755 {
		return nil, fmt.Errorf("control directory has bad permissions %03o (must be >=0755 and <=0775)", m)
	}
	if b.ctrl, err = scanTree(b.fsys, "DEBIAN", ""); err != nil {
		return nil, err
	}
	if b.data, err = scanTree(b.fsys, ".", "DEBIAN"); err != nil {
		return nil, err
	}
	if err := b.readControl(); err != nil {
		return nil, err
	}
	if err := checkScripts(b.fsys, "DEBIAN"); err != nil {
		return nil, err
	}
	if err := b.addGenerated(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := b.compressTar(&buf, "DEBIAN", b.ctrl, nil); err != nil {
		return nil, fmt.Errorf("control.tar: %w", err)
	}
	return buf.Bytes(), nil
}

// readControl reads, parses and checks DEBIAN/control.
func (b *builder) readControl() error {
	e := b.ctrlEntry("control")
	if e == nil || !e.mode.IsRegular() {
		return errors.New("DEBIAN/control: missing or not a plain file")
	}
	raw, err := fs.ReadFile(b.fsys, "DEBIAN/control")
	if err != nil {
		return err
	}
	if b.control, err = ParseParagraph(raw); err != nil {
		return fmt.Errorf("DEBIAN/control: %w", err)
	}
	if err := checkControl(b.control, b.opts.Warn); err != nil {
		return fmt.Errorf("DEBIAN/control: %w", err)
	}
	return nil
}

// ctrlEntry returns the DEBIAN entry called name, or nil.
func (b *builder) ctrlEntry(name string) *buildEntry {
	for _, e := range b.ctrl {
		if e.path == name {
			return e
		}
	}
	return nil
}

// addGenerated checks conffiles and adds Installed-Size and md5sums when
// the tree lacks them.
func (b *builder) addGenerated() error {
	conffiles, err := b.conffiles()
	if err != nil {
		return err
	}
	ctl := b.ctrlEntry("control")
	if !b.control.Has("Installed-Size") {
		setInstalledSize(b.control, installedSize(b.data))
		ctl.data = []byte(b.control.String())
		ctl.size = int64(len(ctl.data))
	}
	if b.ctrlEntry("md5sums") != nil {
		return nil
	}
	names := md5Names(b.data, conffiles)
	if len(names) == 0 {
		return nil
	}
	var sums []string
	if b.onePass {
		sums = slices.Repeat([]string{placeholderSum}, len(names))
		b.sumNames, b.sums = names, make(map[string]string, len(names))
	} else if sums, err = md5Files(b.fsys, names); err != nil {
		return fmt.Errorf("md5sums: %w", err)
	}
	data := formatMd5sums(names, sums)
	b.sumEntry = &buildEntry{path: "md5sums", mode: 0644, mtime: ctl.mtime, size: int64(len(data)), data: data}
	b.insertCtrl(b.sumEntry)
	return nil
}

// conffiles checks DEBIAN/conffiles, if any, against the data tree.
func (b *builder) conffiles() (map[string]bool, error) {
	e := b.ctrlEntry("conffiles")
	if e == nil {
		return nil, nil
	}
	raw, err := fs.ReadFile(b.fsys, "DEBIAN/conffiles")
	if err != nil {
		return nil, err
	}
	tree := make(map[string]*buildEntry, len(b.data))
	for _, d := range b.data {
		tree[d.path] = d
	}
	return checkConffiles(raw, tree, b.opts.Warn)
}

// insertCtrl adds a top-level control member in name order.
func (b *builder) insertCtrl(e *buildEntry) {
	at := len(b.ctrl)
	for i, c := range b.ctrl {
		top, _, _ := strings.Cut(c.path, "/")
		if i > 0 && top > e.path {
			at = i
			break
		}
	}
	b.ctrl = append(b.ctrl[:at], append([]*buildEntry{e}, b.ctrl[at:]...)...)
}

// clamp applies SourceDateEpoch to t.
func (b *builder) clamp(t time.Time) time.Time {
	if sde := b.opts.SourceDateEpoch; sde != nil && t.After(*sde) {
		return *sde
	}
	return t
}

// compressTar writes entries below dir as a compressed tar stream. When
// sums is not nil, it receives the hex MD5 sum of every regular file by
// path.
func (b *builder) compressTar(w io.Writer, dir string, entries []*buildEntry, sums map[string]string) error {
	var z io.WriteCloser
	var err error
	if bound := tarSizeBound(entries); b.opts.Compression == Xz && bound <= smallTarSize {
		z, err = smallXzWriter(w, b.opts.Level, bound)
	}
	if z == nil && err == nil && b.opts.Compression == Zstd && tarSizeBound(entries) <= smallTarSize {
		z, err = smallZstdWriter(w, b.opts.Level)
	}
	if z == nil && err == nil && b.opts.Compression == Gzip && tarSizeBound(entries) <= smallTarSize {
		z, err = smallGzipWriter(w, b.opts.Level)
	}
	if z == nil && err == nil && b.opts.SystemCompressors {
		z, err = systemCompressor(b.opts.Compression, w, b.opts.Level, tarSizeBound(entries))
	}
	if z == nil && err == nil && b.opts.Compression == Gzip {
		z = newGzipChunked(w, b.opts.Level)
	}
	if z == nil && err == nil && b.opts.Compression == Zstd {
		z, err = b.zstdEncoder(w)
	}
	if z == nil && err == nil {
		z, err = compressor(b.opts.Compression, w, b.opts.Level)
	}
	if err != nil {
		return err
	}
	if err := writeTar(z, b.fsys, dir, entries, b.clamp, sums); err != nil {
		z.Close()
		return err
	}
	return z.Close()
}

// arTime is the timestamp of the ar members: SourceDateEpoch, or the
// newest (clamped) mtime of the tree.
func (b *builder) arTime() time.Time {
	if b.opts.SourceDateEpoch != nil {
		return *b.opts.SourceDateEpoch
	}
	var newest time.Time
	for _, list := range [][]*buildEntry{b.ctrl, b.data} {
		for _, e := range list {
			if e.mtime.After(newest) {
				newest = e.mtime
			}
		}
	}
	return newest
}

// zstdEncoder returns the builder's zstd encoder writing to w: made for
// control.tar, reset for data.tar, which saves allocating its tables
// twice (a tiny package's build is mostly that). A reset encoder writes
// what a new one would.
func (b *builder) zstdEncoder(w io.Writer) (io.WriteCloser, error) {
	if b.zstd != nil {
		b.zstd.Reset(w)
		return b.zstd, nil
	}
	z, err := compressor(Zstd, w, b.opts.Level)
	if err != nil {
		return nil, err
	}
	b.zstd = z.(*zstd.Encoder)
	return z, nil
}
