package db

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeStatus creates root/var/lib/dpkg/status (and journal files named
// by the keys of updates) and returns root.
func writeStatus(t *testing.T, status string, updates map[string]string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "var/lib/dpkg")
	os.MkdirAll(filepath.Join(dir, "updates"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, text := range updates {
		os.WriteFile(filepath.Join(dir, "updates", name), []byte(text), 0o644)
	}
	return root
}

const sampleStatus = `Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy.

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u4

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Version: 2.36-9+deb12u4

Package: oldconf
Status: deinstall ok config-files
Architecture: all
Version: 1.0
Conffiles:
 /etc/oldconf.conf 0123456789abcdef0123456789abcdef

Package: gone
Status: purge ok not-installed
Architecture: amd64

Package: halfway
Status: install reinstreq half-configured
Architecture: all
Version: 0.1

Package: held
Status: hold ok installed
Architecture: all
Version: 3

Package: trig
Status: install ok triggers-pending
Architecture: all
Version: 1
Triggers-Pending: ldconfig
`

// summary renders packages as "name:arch=version/state" words.
func summary(pkgs []InstalledPackage) string {
	var b strings.Builder
	for _, p := range pkgs {
		b.WriteString(p.Name + ":" + p.Architecture + "=" + p.Version.String() + "/" + p.DpkgState + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestReadDpkgStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		updates map[string]string
		want    string
	}{
		{"sample", sampleStatus, nil, "base-files:amd64=12.4+deb12u5/installed halfway:all=0.1/half-configured " +
			"held:all=3/installed libc6:amd64=2.36-9+deb12u4/installed libc6:i386=2.36-9+deb12u4/installed " +
			"trig:all=1/triggers-pending"},
		{"empty file", "", nil, ""},
		{"journal applied in numeric order", sampleStatus, map[string]string{
			"0002":  "Package: held\nStatus: install ok installed\nArchitecture: all\nVersion: 5\n",
			"10":    "Package: held\nStatus: install ok installed\nArchitecture: all\nVersion: 6\n",
			"0001":  "Package: trig\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n",
			"0003":  "Package: new\nStatus: install ok unpacked\nArchitecture: amd64\nVersion: 2\n",
			"tmp.i": "garbage that dpkg ignores",
		}, "base-files:amd64=12.4+deb12u5/installed halfway:all=0.1/half-configured " +
			"held:all=6/installed libc6:amd64=2.36-9+deb12u4/installed libc6:i386=2.36-9+deb12u4/installed " +
			"new:amd64=2/unpacked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := ReadDpkgStatus(writeStatus(t, tt.status, tt.updates))
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(pkgs); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			for _, p := range pkgs {
				if !p.FromDpkg || p.User || p.Auto || p.Control == nil || p.Control.Get("Package") != p.Name {
					t.Errorf("%s: %+v, want a system package from dpkg with its paragraph", p.Name, p)
				}
			}
		})
	}
}

func TestDpkgConfigured(t *testing.T) {
	for state, want := range map[string]bool{"installed": true, "triggers-pending": true, "triggers-awaited": true,
		"unpacked": false, "half-installed": false, "half-configured": false, "": true} {
		if got := (&InstalledPackage{DpkgState: state}).Configured(); got != want {
			t.Errorf("Configured() with state %q = %v, want %v", state, got, want)
		}
	}
}

func TestReadDpkgStatusWithoutDpkg(t *testing.T) {
	pkgs, err := ReadDpkgStatus(t.TempDir())
	if pkgs != nil || err != nil {
		t.Errorf("ReadDpkgStatus of a root without dpkg = %v, %v; want nothing", pkgs, err)
	}
}

func TestReadDpkgStatusMalformed(t *testing.T) {
	ok := "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n"
	tests := []struct {
		name   string
		status string
		want   string // after "status:"
	}{
		{"no colon", ok + "Package: b\nbroken line\n", "7: missing colon"},
		{"missing status", ok + "Package: b\nVersion: 1\n", "6: package b: missing Status field"},
		{"short status", ok + "Package: b\nVersion: 1\nStatus: install ok\n", `8: package b: invalid Status "install ok"`},
		{"unknown state", ok + "Package: b\nStatus: install ok exploded\nVersion: 1\n", `7: package b: invalid Status "install ok exploded": unknown state`},
		{"unknown flag", ok + "Package: b\nStatus: install bad installed\n", `7: package b: invalid Status "install bad installed": unknown flag "bad"`},
		{"unknown selection", ok + "Package: b\nStatus: keep ok installed\n", `7: package b: invalid Status "keep ok installed": unknown selection "keep"`},
		{"bad version", ok + "Package: b\nDescription: x\n more\n .\nVersion: 1:\nStatus: install ok installed\n", `10: package b: parse version "1:": nothing after colon`},
		{"missing version", ok + "Package: b\nStatus: install ok installed\n", "6: package b: missing Version field"},
		{"bad name", ok + "Package: -b\nStatus: install ok installed\n", `6: invalid package name "-b"`},
		{"missing name", ok + "Status: install ok installed\n", "6: invalid package name: may not be empty"},
		{"bad architecture", ok + "Package: b\nStatus: install ok installed\nVersion: 1\nArchitecture: am d64\n", "9: package b: invalid architecture name"},
		{"listed twice", ok + ok, "6: package a:all listed twice"},
		{"comment", ok + "# comment\n", "6: line starts with '#'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeStatus(t, tt.status, nil)
			_, err := ReadDpkgStatus(root)
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("ReadDpkgStatus = %v, want a *StatusError", err)
			}
			if !strings.Contains(err.Error(), "status:"+tt.want) {
				t.Errorf("error %q, want it to contain %q", err, "status:"+tt.want)
			}
		})
	}
}

func TestReadDpkgStatusBadJournal(t *testing.T) {
	root := writeStatus(t, sampleStatus, map[string]string{"0001": "Package: x\nStatus: install ok\n"})
	_, err := ReadDpkgStatus(root)
	if err == nil || !strings.Contains(err.Error(), filepath.Join("updates", "0001")+":2:") {
		t.Errorf("ReadDpkgStatus with a bad journal file: %v", err)
	}
}

// TestReadDpkgStatusOfThisMachine reads the real status file and compares
// it with what dpkg-query reports. Both are snapshots of a database that
// apt may be changing at that moment, so a mismatch is retried a few times
// before it counts.
func TestReadDpkgStatusOfThisMachine(t *testing.T) {
	if _, err := os.Stat("/" + DpkgStatusPath); err != nil {
		t.Skip("no dpkg status file on this machine")
	}
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("no dpkg-query")
	}
	var problems []string
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(2 * time.Second)
		}
		var n, ii int
		problems, n, ii = compareWithDpkgQuery(t)
		if len(problems) == 0 {
			t.Logf("%d installed packages, %d of them ii", n, ii)
			return
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// compareWithDpkgQuery reads the status file and dpkg-query's view once
// and returns how they differ, with the number of packages and of ii ones.
func compareWithDpkgQuery(t *testing.T) ([]string, int, int) {
	pkgs, err := ReadDpkgStatus("/")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dpkg-query", "-W", "-f=${binary:Package} ${Architecture} ${Version} ${db:Status-Abbrev} ${db:Status-Status}\n").Output()
	if err != nil {
		t.Fatal(err)
	}
	ours := make(map[string]InstalledPackage)
	for _, p := range pkgs {
		ours[p.Name+" "+p.Architecture] = p
	}
	var problems []string
	ii, want := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) != 5 || w[4] == "not-installed" || w[4] == "config-files" {
			continue
		}
		want++
		name := strings.SplitN(w[0], ":", 2)[0]
		p, found := ours[name+" "+w[1]]
		switch {
		case !found:
			problems = append(problems, fmt.Sprintf("%s (%s) missing", w[0], w[4]))
		case p.Version.String() != w[2] || p.DpkgState != w[4]:
			problems = append(problems, fmt.Sprintf("%s: version %s state %s, dpkg-query says %s %s", w[0], p.Version, p.DpkgState, w[2], w[4]))
		}
		if strings.HasPrefix(w[3], "ii") {
			ii++
		}
	}
	var ourII int
	for _, p := range pkgs {
		if p.DpkgState == "installed" && strings.HasPrefix(p.Control.Get("Status"), "install ") {
			ourII++
		}
	}
	if len(pkgs) != want || ourII != ii {
		problems = append(problems, fmt.Sprintf("read %d packages (%d ii), dpkg-query lists %d (%d ii)", len(pkgs), ourII, want, ii))
	}
	return problems, len(pkgs), ourII
}
