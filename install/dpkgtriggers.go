package install

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// dpkgTriggersDir holds dpkg's trigger interests, relative to the root:
// "File" lists "PATH PACKAGE[/noawait]" lines for file triggers, and a
// file per named trigger lists "PACKAGE[/noawait]" lines.
const dpkgTriggersDir = "var/lib/dpkg/triggers"

// dpkgInterests returns the trigger interests of dpkg's packages that
// have a postinst, or nil when the root has no dpkg trigger database.
// The ldconfig trigger is left out: aim runs ldconfig itself, once.
// Malformed lines are skipped; nothing here can fail a transaction.
func dpkgInterests(root string) []interest {
	dir := filepath.Join(root, dpkgTriggersDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	byPkg := map[string]*interest{}
	add := func(name, spec string) {
		pkg, opt, _ := strings.Cut(spec, "/")
		if pkg == "" || checkTriggerName(name) != nil || name == ldconfigTrigger {
			return
		}
		in := byPkg[pkg]
		if in == nil {
			in = &interest{pkg: pkg, names: map[string]bool{}, dpkg: true}
			byPkg[pkg] = in
		}
		in.names[name] = opt != "noawait"
	}
	for _, e := range ents {
		switch n := e.Name(); {
		case !e.Type().IsRegular() || n == "Unincorp" || n == "Lock" || strings.HasPrefix(n, "."):
		case n == "File":
			eachField(filepath.Join(dir, n), func(f []string) {
				if len(f) == 2 && strings.HasPrefix(f[0], "/") {
					add(f[0], f[1])
				}
			})
		default:
			eachField(filepath.Join(dir, n), func(f []string) {
				if len(f) == 1 {
					add(n, f[0])
				}
			})
		}
	}
	var out []interest
	for _, in := range byPkg {
		if in.postinst = dpkgPostinst(root, in.pkg); in.postinst != "" {
			out = append(out, *in)
		}
	}
	return out
}

// dpkgPostinst returns the host path of dpkg's package pkg's postinst
// (PKG.postinst or, for a Multi-Arch: same package, PKG:ARCH.postinst),
// "" when there is none.
func dpkgPostinst(root, pkg string) string {
	info := filepath.Join(root, "var/lib/dpkg/info")
	p := filepath.Join(info, pkg+".postinst")
	if exists(p) {
		return p
	}
	if !strings.Contains(pkg, ":") {
		if m, _ := filepath.Glob(filepath.Join(info, pkg+":*.postinst")); len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// eachField calls fn with the fields of every non-empty line of a file.
func eachField(p string, fn func([]string)) {
	f, err := os.Open(p)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 0 {
			fn(fields)
		}
	}
}
