package install

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// dpkgInfo is dpkg's info directory, relative to the root.
const dpkgInfo = "var/lib/dpkg/info"

// DpkgFiles returns the paths dpkg's file list of package pkg names
// (var/lib/dpkg/info/PKG.list or PKG:ARCH.list), directories included,
// as "dpkg -L" does; ok is false when dpkg has no list for pkg. It only
// reads.
func DpkgFiles(root, pkg string) (paths []string, ok bool, err error) {
	if strings.ContainsAny(pkg, "/*?[") {
		return nil, false, nil
	}
	lists, err := dpkgLists(root, pkg)
	if err != nil || len(lists) == 0 {
		return nil, false, err
	}
	for _, l := range lists {
		if err := eachListed(l, func(p string) { paths = append(paths, p) }); err != nil {
			return nil, false, err
		}
	}
	return paths, true, nil
}

// DpkgOwners returns the packages of dpkg's whose file lists name path,
// sorted, as "dpkg -S" does. It only reads.
func DpkgOwners(root, path string) ([]string, error) {
	lists, err := dpkgLists(root, "*")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range lists {
		found := false
		if err := eachListed(l, func(p string) { found = found || p == path }); err != nil {
			return nil, err
		}
		if found {
			out = append(out, listPackage(l))
		}
	}
	sort.Strings(out)
	return out, nil
}

// dpkgLists returns the file lists of pkg (a name or "*").
func dpkgLists(root, pkg string) ([]string, error) {
	dir := filepath.Join(root, dpkgInfo)
	a, err := filepath.Glob(filepath.Join(dir, pkg+".list"))
	if err != nil {
		return nil, err
	}
	b, err := filepath.Glob(filepath.Join(dir, pkg+":*.list"))
	if err != nil {
		return nil, err
	}
	if pkg == "*" {
		return a, nil // "*.list" already matched the qualified ones
	}
	return append(a, b...), nil
}

func listPackage(list string) string {
	pkg, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(list), ".list"), ":")
	return pkg
}

// eachListed calls fn with every path of a dpkg file list but "/.".
func eachListed(list string, fn func(string)) error {
	f, err := os.Open(list)
	if err != nil {
		return fmt.Errorf("dpkg file list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p := sc.Text(); p != "" && p != "/." {
			fn(p)
		}
	}
	return sc.Err()
}
