package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// MaxInterpreterLine is the longest "#!" line the parser accepts, newline
// included: Linux reads the first 256 bytes of a script (BINPRM_BUF_SIZE)
// and refuses to run one whose interpreter does not fit.
const MaxInterpreterLine = 256

// ErrNoInterpreterLine is returned by ParseInterpreter for data that does
// not start with "#!".
var ErrNoInterpreterLine = errors.New("no #! line")

// ParseInterpreter reads the "#!" line at the start of head as Linux does:
// after "#!" and optional blanks comes the interpreter path, up to the
// next blank; the rest of the line, with surrounding blanks removed, is
// one optional argument (never split further). It returns
// ErrNoInterpreterLine when head does not start with "#!", and an error
// when the line has no interpreter, holds a NUL byte, or is not ended by a
// newline within MaxInterpreterLine bytes (a head shorter than that may
// end without one, as a file can). It never panics.
func ParseInterpreter(head []byte) (interp, arg string, err error) {
	if !bytes.HasPrefix(head, []byte("#!")) {
		return "", "", ErrNoInterpreterLine
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	} else if len(head) >= MaxInterpreterLine {
		return "", "", fmt.Errorf("#! line longer than %d bytes", MaxInterpreterLine)
	}
	if len(line) >= MaxInterpreterLine {
		return "", "", fmt.Errorf("#! line longer than %d bytes", MaxInterpreterLine)
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return "", "", errors.New("#! line holds a NUL byte")
	}
	rest := bytes.TrimLeft(line[2:], " \t")
	end := bytes.IndexAny(rest, " \t")
	if end < 0 {
		end = len(rest)
	}
	interp = string(rest[:end])
	if interp == "" {
		return "", "", errors.New("#! line names no interpreter")
	}
	arg = string(bytes.Trim(rest[end:], " \t"))
	return interp, arg, nil
}

// CheckRoot reports whether maintainer scripts can run for root: with
// chroot set, root must hold an executable /bin/sh (symbolic links
// resolved inside root, and the dynamic loader of an ELF shell present
// too) and aim must run as root; otherwise the host must have /bin/sh and
// root must be a directory. A missing shell is a *MissingError whose
// message says so. The engine calls it before changing anything for a
// package that has scripts.
func CheckRoot(root string, chroot bool) error {
	root, err := cleanRoot(root)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(root); err != nil {
		return fmt.Errorf("root %s: %w", root, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("root %s is not a directory", root)
	}
	if !chroot || root == "/" {
		return checkProgram("/", "/bin/sh", "maintainer scripts")
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("running scripts chrooted into %s needs root privileges; run them chrootless instead", root)
	}
	return checkProgram(root, "/bin/sh", "maintainer scripts chrooted")
}

// CheckScript reports whether the script at host path p can run: under
// chroot, p must lie inside root, and the interpreter named on its "#!"
// line (or /bin/sh, for a script without one) must exist and be executable
// inside root; chrootless, on the host. A script that does not exist is
// not an error (there is nothing to run). needed names the script in
// messages, e.g. "foo postinst".
func CheckScript(root string, chroot bool, p, needed string) error {
	root, err := cleanRoot(root)
	if err != nil {
		return err
	}
	look, inRoot, err := scriptPaths(root, chroot, p)
	if err != nil {
		return err
	}
	host, err := resolveInRoot(look, inRoot)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: %w", needed, err)
	}
	interp, _, err := readInterpreter(host)
	if err != nil {
		return fmt.Errorf("%s: %w", needed, err)
	}
	return checkProgram(look, interp, needed)
}

// scriptPaths returns the root a script is looked up in and its path
// inside that root: (root, in-root path) when chrooted, ("/", p) otherwise.
func scriptPaths(root string, chroot bool, p string) (look, inRoot string, err error) {
	if !filepath.IsAbs(p) {
		return "", "", fmt.Errorf("script path %q is not absolute", p)
	}
	p = filepath.Clean(p)
	if !chroot || root == "/" {
		return "/", p, nil
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", "", fmt.Errorf("script %s is not inside root %s", p, root)
	}
	return root, "/" + filepath.ToSlash(rel), nil
}

// readInterpreter returns the program that runs the file at host path p:
// its "#!" interpreter, "" for an ELF binary, or /bin/sh for a file the
// kernel cannot run (the ENOEXEC fallback of execvp, which dpkg uses).
func readInterpreter(p string) (interp string, shebang bool, err error) {
	f, err := os.Open(p)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	head := make([]byte, MaxInterpreterLine)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read %s: %w", p, err)
	}
	head = head[:n]
	interp, _, err = ParseInterpreter(head)
	switch {
	case err == nil:
		return interp, true, nil
	case !errors.Is(err, ErrNoInterpreterLine):
		return "", false, fmt.Errorf("%s: %w", p, err)
	case bytes.HasPrefix(head, []byte(elfMagic)):
		return "", false, nil
	default:
		return "/bin/sh", false, nil
	}
}

// checkProgram checks that program p (an in-root path) exists inside root
// as an executable regular file, and that what it needs to start (the
// interpreter of a "#!" script, the dynamic loader of an ELF binary) does
// too, a few levels deep. Shared libraries are not checked.
func checkProgram(root, p, needed string) error {
	for depth := 0; p != "" && depth < 4; depth++ {
		if !path.IsAbs(p) {
			return &MissingError{Root: root, Path: p, Needed: needed,
				Err: errors.New("interpreter path is not absolute")}
		}
		host, err := resolveInRoot(root, p)
		if err != nil {
			return &MissingError{Root: root, Path: p, Needed: needed, Err: err}
		}
		fi, err := os.Stat(host)
		if err != nil {
			return &MissingError{Root: root, Path: p, Needed: needed, Err: err}
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return &MissingError{Root: root, Path: p, Needed: needed,
				Err: errors.New("not an executable file")}
		}
		next, shebang, err := readInterpreter(host)
		if err != nil {
			return &MissingError{Root: root, Path: p, Needed: needed, Err: err}
		}
		if !shebang {
			next = elfInterpreter(host)
		}
		p = next
	}
	return nil
}

// maxLinks bounds the symbolic links followed while resolving one path.
const maxLinks = 40

// resolveInRoot returns the host path of p, a path as seen inside root,
// following symbolic links as a process chrooted into root would: an
// absolute target starts again at root and ".." never climbs above it.
// The result exists (Lstat succeeded on every component).
func resolveInRoot(root, p string) (string, error) {
	rest := strings.Split(p, "/")
	cur := ""
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if cur = path.Dir(cur); cur == "." || cur == "/" {
				cur = ""
			}
			continue
		}
		next := path.Join(cur, c)
		host := filepath.Join(root, filepath.FromSlash(next))
		fi, err := os.Lstat(host)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			cur = ""
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return filepath.Join(root, filepath.FromSlash(cur)), nil
}

// cleanRoot makes root absolute and clean; "" means "/".
func cleanRoot(root string) (string, error) {
	if root == "" {
		return "/", nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("root %s: %w", root, err)
	}
	return abs, nil
}
