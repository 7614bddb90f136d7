package deb

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// maintainerScripts are the control members dpkg runs; dpkg-deb requires
// them to be executable plain files or symlinks.
var maintainerScripts = []string{"preinst", "postinst", "prerm", "postrm", "config"}

// checkControl validates the control paragraph the way dpkg-deb --build
// does: Package, Version and Architecture are required and well formed;
// a missing Maintainer or Description is only a warning.
func checkControl(p *Paragraph, warn func(string)) error {
	pkg, ok := p.Lookup("Package")
	if !ok || pkg == "" {
		return errors.New("missing 'Package' field")
	}
	if err := checkPackageName(pkg); err != nil {
		return err
	}
	ver, ok := p.Lookup("Version")
	if !ok || strings.TrimSpace(ver) == "" {
		return errors.New("missing 'Version' field")
	}
	if _, err := ParseVersion(ver); err != nil {
		if !IsVersionWarning(err) {
			return fmt.Errorf("'Version' field: %w", err)
		}
		warn(err.Error())
	}
	if err := checkArch(p.Get("Architecture")); err != nil {
		return err
	}
	for _, f := range []string{"Maintainer", "Description"} {
		if strings.TrimSpace(p.Get(f)) == "" {
			warn(fmt.Sprintf("missing '%s' field", f))
		}
	}
	return nil
}

// checkPackageName applies dpkg's rule for package names, then the
// stricter one of dpkg-deb --build: lower case, digits and "-+." only.
func checkPackageName(name string) error {
	if err := CheckPackageName(name); err != nil {
		return err
	}
	if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789+-.") != "" {
		return fmt.Errorf("package name %q has characters that aren't lowercase alphanums or '-+.'", DisplayString(name))
	}
	return nil
}

func checkArch(arch string) error {
	if arch == "" {
		return errors.New("package architecture is missing or empty")
	}
	return CheckArchName(arch)
}

// checkScripts refuses maintainer scripts that are neither plain files nor
// symlinks, or whose permissions are outside 0555..0775.
func checkScripts(fsys fs.FS, ctrlDir string) error {
	for _, s := range maintainerScripts {
		fi, err := fs.Lstat(fsys, path.Join(ctrlDir, s))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("maintainer script '%s': %w", s, err)
		}
		mode := fi.Mode()
		if mode&fs.ModeSymlink != 0 {
			continue
		}
		if !mode.IsRegular() {
			return fmt.Errorf("maintainer script '%s' is not a plain file or symlink", s)
		}
		if UnixMode(mode)&07557 != 0555 {
			return fmt.Errorf("maintainer script '%s' has bad permissions %03o (must be >=0555 and <=0775)", s, UnixMode(mode))
		}
	}
	return nil
}

// checkConffiles parses the conffiles member as dpkg-deb does: each line
// is an absolute path, optionally preceded by the "remove-on-upgrade"
// flag, and ends with a newline; a listed file must be a plain file of
// the package, a file to remove on upgrade must be absent. It returns the
// listed paths that are part of the package, as clean relative names.
func checkConffiles(data []byte, tree map[string]*buildEntry, warn func(string)) (map[string]bool, error) {
	out := map[string]bool{}
	r := bufio.NewReader(bytes.NewReader(data))
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			return out, nil
		}
		if err == io.EOF {
			return nil, fmt.Errorf("conffile name '%s' is too long, or missing final newline", DisplayString(line))
		}
		if err := checkConffile(strings.TrimSuffix(line, "\n"), tree, out, warn); err != nil {
			return nil, err
		}
	}
}

func checkConffile(line string, tree map[string]*buildEntry, out map[string]bool, warn func(string)) error {
	name, removing := line, false
	if flag, rest, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "/") {
		if flag != "remove-on-upgrade" {
			return fmt.Errorf("unknown flag '%s' for conffile '%s'", DisplayString(flag), DisplayString(rest))
		}
		name, removing = rest, true
	}
	if !strings.HasPrefix(name, "/") {
		return fmt.Errorf("conffile name '%s' is not an absolute pathname", DisplayString(name))
	}
	rel := strings.TrimPrefix(path.Clean(name), "/")
	e, present := tree[rel]
	switch {
	case removing && present:
		return fmt.Errorf("conffile '%s' is present but is requested to be removed", DisplayString(name))
	case removing:
		return nil
	case !present:
		return fmt.Errorf("conffile '%s' does not appear in package", DisplayString(name))
	case out[rel]:
		warn(fmt.Sprintf("conffile name '%s' is duplicated", DisplayString(name)))
	case !e.mode.IsRegular():
		warn(fmt.Sprintf("conffile '%s' is not a plain file", DisplayString(name)))
	}
	out[rel] = true
	return nil
}

// md5Names returns the paths the md5sums member lists, like dh_md5sums:
// every regular file of entries (hard links included) that is not a
// conffile, sorted by path.
func md5Names(entries []*buildEntry, conffiles map[string]bool) []string {
	var names []string
	for _, e := range entries {
		if e.mode.IsRegular() && !conffiles[e.path] {
			names = append(names, e.path)
		}
	}
	sort.Strings(names)
	return names
}

// formatMd5sums returns the md5sums member: one line "HASH  path" for
// each of names, sums[i] the hex MD5 sum of names[i].
func formatMd5sums(names, sums []string) []byte {
	var b bytes.Buffer
	for i, n := range names {
		b.WriteString(sums[i])
		b.WriteString("  ")
		b.WriteString(n)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// md5Files returns the hex MD5 sums of the files names, hashed by up to
// GOMAXPROCS goroutines (at most 4), each through its own buffer. The
// first error in names' order is returned.
func md5Files(fsys fs.FS, names []string) ([]string, error) {
	sums := make([]string, len(names))
	errs := make([]error, len(names))
	workers := min(runtime.GOMAXPROCS(0), 4, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, copyBufferSize)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				sums[i], errs[i] = md5File(fsys, names[i], buf)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sums, nil
}

func md5File(fsys fs.FS, name string, buf []byte) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// installedSize applies dpkg-gencontrol's rule to the data tree: each
// regular file and symlink counts its size rounded up to KiB (a hard-linked
// file once), every other object (directories, the top one included) 1.
func installedSize(entries []*buildEntry) int64 {
	var kib int64
	for _, e := range entries {
		switch {
		case e.hardlink != "":
		case e.mode.IsRegular():
			kib += (e.size + 1023) / 1024
		case e.mode&fs.ModeSymlink != 0:
			kib += (int64(len(e.link)) + 1023) / 1024
		default:
			kib++
		}
	}
	return kib
}

// setInstalledSize adds Installed-Size where dpkg-gencontrol puts it:
// after Maintainer (or Architecture), or at the end.
func setInstalledSize(p *Paragraph, kib int64) {
	f := Field{Name: "Installed-Size", Value: strconv.FormatInt(kib, 10)}
	at := -1
	for i, g := range p.Fields {
		if strings.EqualFold(g.Name, "Maintainer") || (at < 0 && strings.EqualFold(g.Name, "Architecture")) {
			at = i + 1
		}
	}
	if at < 0 {
		at = len(p.Fields)
	}
	p.Fields = append(p.Fields[:at], append([]Field{f}, p.Fields[at:]...)...)
}
