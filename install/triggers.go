package install

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"aim/deb/rootfs"
	"aim/hooks"
)

// Triggers follow deb-triggers(5). A package's "triggers" control member
// holds "DIRECTIVE NAME" lines: interest (or interest-await),
// interest-noawait, activate (or activate-await) and activate-noawait.
// A NAME starting with "/" is a file trigger, activated by any path
// installed or removed at or below it; any other NAME is a named
// trigger, activated by packages whose triggers member says "activate
// NAME" when they are installed, upgraded (old and new version) or
// removed. An activation is awaited when both the activation and the
// interest await (file-trigger activations always await): then a
// failing "postinst triggered" fails the activating packages'
// configuration, and with it the transaction. Otherwise only the
// interested package fails: the transaction goes on, and the package's
// triggers stay pending (meta key triggersPendingKey) until a later Run
// processes them. Interests of dpkg's packages are read from
// var/lib/dpkg/triggers (see dpkgtriggers.go).

// trigDirectives maps each directive to whether it interests (rather
// than activates) and whether it awaits.
var trigDirectives = map[string][2]bool{
	"interest": {true, true}, "interest-await": {true, true}, "interest-noawait": {true, false},
	"activate": {false, true}, "activate-await": {false, true}, "activate-noawait": {false, false},
}

// trigLine is one directive of a triggers member.
type trigLine struct {
	name            string
	interest, await bool
}

// activation is one activation of a trigger by a package.
type activation struct {
	name, by string
	await    bool
	path     string // the path that activated a file trigger
}

// interest is one package's trigger interests: name -> awaits.
type interest struct {
	pkg, postinst string
	names         map[string]bool
	dpkg          bool // a package of dpkg's, whose failures are only noted
}

// triggerFailure is a noawait trigger whose postinst triggered failed.
type triggerFailure struct {
	pkg   string
	names []string
}

// parseTriggers parses a triggers member strictly: an unknown directive
// or a malformed name is an error, as dpkg refuses such a package.
func parseTriggers(data []byte) ([]trigLine, error) {
	var out []trigLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		kind, ok := trigDirectives[f[0]]
		if !ok || len(f) != 2 {
			return out, fmt.Errorf("triggers:%d: want \"DIRECTIVE NAME\" with a known directive, got %q", n, strings.TrimSpace(line))
		}
		if err := checkTriggerName(f[1]); err != nil {
			return out, fmt.Errorf("triggers:%d: %w", n, err)
		}
		out = append(out, trigLine{name: f[1], interest: kind[0], await: kind[1]})
	}
	return out, sc.Err()
}

// checkTriggerName accepts printable ASCII names; file triggers must be
// clean absolute paths.
func checkTriggerName(name string) error {
	for _, r := range name {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("trigger name %q: not printable ASCII", name)
		}
	}
	if strings.HasPrefix(name, "/") && (filepath.Clean(name) != name || strings.Contains(name, "/../")) {
		return fmt.Errorf("file trigger %q: not a clean absolute path", name)
	}
	return nil
}

// checkTriggerMembers refuses, before anything changes, a package whose
// triggers member is malformed.
func (x *txn) checkTriggerMembers() error {
	for _, s := range x.steps {
		if s.ctrl == nil {
			continue
		}
		if m, ok := s.ctrl.Member("triggers"); ok {
			if _, err := parseTriggers(m.Data); err != nil {
				return fmt.Errorf("%s: %w", s.c.Name, err)
			}
		}
	}
	return nil
}

// triggers runs, once each, the postinst "triggered NAMES" of packages
// interested in triggers the transaction activated, in package order,
// and notes whether the transaction needs ldconfig (run after cleanup,
// once no backup stands beside a library). It returns the noawait
// triggers that failed (their packages stay triggers-pending); a failed
// awaited trigger is an error naming the packages that awaited it.
func (x *txn) triggers() ([]triggerFailure, error) {
	acts := x.activations()
	var failed []triggerFailure
	for _, in := range x.interests() {
		hit, awaiters := in.match(acts)
		if len(hit) == 0 {
			continue
		}
		x.t.report(-1, Event{Message: "processing triggers for " + in.pkg, Phase: PhaseTriggers, Package: in.pkg})
		name, arch := SplitKey(in.pkg)
		err := x.script(name, arch, "postinst", in.postinst, hooks.PostinstTriggered(hit))
		switch {
		case err == nil:
		case len(awaiters) > 0:
			return failed, fmt.Errorf("configure %s: awaited trigger of %s failed: %w", strings.Join(awaiters, ", "), in.pkg, err)
		case in.dpkg:
			x.tr.Note("trigger: %v (dpkg's package %s keeps the trigger pending)", err, in.pkg)
		default:
			x.tr.Note("trigger: %v (%s stays triggers-pending)", err, in.pkg)
			failed = append(failed, triggerFailure{pkg: in.pkg, names: hit})
		}
	}
	x.ldconfig = x.needsLdconfig(acts)
	return failed, nil
}

// match returns the names of in that acts activate, sorted, and the
// packages (other than in's own) whose activation of them is awaited.
func (in interest) match(acts []activation) (hit, awaiters []string) {
	names, by := map[string]bool{}, map[string]bool{}
	for _, a := range acts {
		for n, await := range in.names {
			if a.name != n && (a.path == "" || !underPrefix(a.path, n)) {
				continue
			}
			names[n] = true
			if await && a.await && a.by != in.pkg {
				by[a.by] = true
			}
		}
	}
	return sortedKeys(names), sortedKeys(by)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// underPrefix reports whether p is prefix or below it.
func underPrefix(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/")
}

// activations lists the transaction's activations: the named triggers
// of changed packages (both versions of an upgrade) and a file
// activation for every non-directory path installed or removed.
func (x *txn) activations() []activation {
	var out []activation
	for _, s := range x.steps {
		for _, data := range x.triggerFiles(s) {
			lines, _ := parseTriggers(data) // checked before anything changed
			for _, l := range lines {
				if !l.interest {
					out = append(out, activation{name: l.name, by: s.c.Name, await: l.await})
				}
			}
		}
		for _, p := range stepPaths(s) {
			out = append(out, activation{by: s.c.Name, await: true, path: p})
		}
	}
	return out
}

// stepPaths lists the non-directory paths s installs or removes.
func stepPaths(s *step) []string {
	var out []string
	kept := map[string]bool{}
	for _, f := range s.newFiles {
		kept[f.Path] = true
		if f.Type != 'd' {
			out = append(out, f.Path)
		}
	}
	if s.c.Action == Purge {
		return out
	}
	for _, f := range s.oldFiles {
		if f.Type != 'd' && !kept[f.Path] && (!f.Conffile || s.c.Action.unpacks()) {
			out = append(out, f.Path)
		}
	}
	return out
}

// changedPaths lists the non-directory paths the transaction installed
// or removed.
func (x *txn) changedPaths() []string {
	var out []string
	for _, s := range x.steps {
		out = append(out, stepPaths(s)...)
	}
	return out
}

// triggerFiles returns the triggers members that apply to s: the new
// version's and, for an upgrade or removal, the installed one's.
func (x *txn) triggerFiles(s *step) [][]byte {
	var out [][]byte
	if s.ctrl != nil {
		if m, ok := s.ctrl.Member("triggers"); ok {
			out = append(out, m.Data)
		}
	}
	if s.c.Action != Install {
		if data, err := os.ReadFile(x.infoPath(s.key, "triggers")); err == nil {
			out = append(out, data)
		}
	}
	return out
}

// interests returns the trigger interests of the packages installed once
// the transaction is done (aim's, then dpkg's), sorted by package, but
// those of the packages it installs or upgrades: every activation
// happens while they are unpacked and not yet configured, when (as
// dpkg's triggers spec says) triggers do not accumulate, since their
// postinst configure must do whatever the triggers would. dpkg -i of
// man-db with packages shipping manual pages runs man-db's postinst
// configure, and no "postinst triggered" after it.
func (x *txn) interests() []interest {
	byPkg := map[string]interest{}
	files, _ := filepath.Glob(filepath.Join(rootfs.Root(x.e.Root).Path(InfoDir), "*.triggers"))
	for _, p := range files {
		pkg := strings.TrimSuffix(filepath.Base(p), ".triggers")
		data, _ := os.ReadFile(p)
		byPkg[pkg] = interestOf(pkg, x.infoPath(pkg, "postinst"), data)
	}
	changed := map[string]bool{} // removed, or configured by this transaction
	for _, s := range x.steps {
		changed[s.c.Name], changed[s.key] = true, true
		delete(byPkg, s.key) // info files are named by the instance's key
	}
	for _, in := range dpkgInterests(x.e.Root) {
		if _, ok := byPkg[in.pkg]; !ok && !changed[in.pkg] {
			byPkg[in.pkg] = in
		}
	}
	var out []interest
	for _, in := range byPkg {
		if len(in.names) > 0 {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pkg < out[j].pkg })
	return out
}

func interestOf(pkg, postinst string, data []byte) interest {
	in := interest{pkg: pkg, postinst: postinst, names: map[string]bool{}}
	lines, _ := parseTriggers(data)
	for _, l := range lines {
		if l.interest {
			in.names[l.name] = l.await
		}
	}
	return in
}
