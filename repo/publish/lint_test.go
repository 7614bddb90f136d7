package publish

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestELFArchitectures(t *testing.T) {
	tests := []struct {
		h    []byte
		want string
	}{
		{amd64ELF, "amd64"},
		{elfHeader(2, 1, 183), "arm64"},
		{elfHeader(1, 1, 3), "i386"},
		{elfHeader(2, 2, 22), "s390x"},
		{elfHeader(2, 1, 21), "ppc64el"},
		{elfHeader(2, 1, 243), "riscv64"},
		{elfHeader(1, 2, 8), "mips"},
	}
	for _, tt := range tests {
		got, _, ok := ELFArchitectures(tt.h)
		if !ok || !slices.Contains(got, tt.want) {
			t.Errorf("%x: got %v, want %s", tt.h[:20], got, tt.want)
		}
	}
	hf := elfHeader(1, 1, 40)
	hf[37] = 0x04 // EF_ARM_ABI_FLOAT_HARD
	if got, _, _ := ELFArchitectures(hf); !slices.Equal(got, []string{"armhf"}) {
		t.Errorf("hard-float ARM: %v", got)
	}
	for _, h := range [][]byte{nil, []byte("\x7fELF"), []byte("#!/bin/sh\necho hello world\n"), elfHeader(3, 1, 62)} {
		if _, _, ok := ELFArchitectures(h); ok {
			t.Errorf("%q taken for ELF", h)
		}
	}
}

func findings(res []AddResult) []string {
	var out []string
	for _, r := range res {
		for _, f := range r.Findings {
			out = append(out, f.String())
		}
	}
	return out
}

func TestAddLints(t *testing.T) {
	r := newTestRepo(t, false)
	src := t.TempDir()
	wrong := buildTestDeb(t, src, "wrong", "1", "arm64", "", map[string][]byte{"usr/bin/wrong": amd64ELF})
	_, err := r.Add([]string{wrong}, AddOptions{Strict: true})
	var ae *AddError
	if !errors.As(err, &ae) || len(ae.Refused) != 1 {
		t.Fatalf("strict add of an amd64 ELF in an arm64 package: %v", err)
	}
	if pkgs, _ := r.Packages(""); len(pkgs) != 0 {
		t.Fatalf("refused add left packages: %v", pkgs)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "pool/main/w")); err == nil {
		t.Errorf("refused add left a pool file")
	}
	res, err := r.Add([]string{wrong}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := findings(res); len(f) != 1 || !strings.Contains(f[0], "warning: usr/bin/wrong: architecture arm64, but this is an ELF 64-bit LSB machine 62 (amd64)") {
		t.Errorf("findings: %q", f)
	}
	allELF := buildTestDeb(t, src, "allelf", "1", "all", "", map[string][]byte{"usr/bin/x": amd64ELF})
	noELF := buildTestDeb(t, src, "noelf", "1", "amd64", "", nil)
	good := buildTestDeb(t, src, "good", "1", "amd64", "", map[string][]byte{"usr/bin/good": amd64ELF, "lib/firmware/fw.bin": elfHeader(1, 2, 20)})
	res, err = r.Add([]string{allELF, noELF, good}, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := findings(res[:1]); len(f) != 1 || !strings.HasPrefix(f[0], "warning: usr/bin/x: architecture all, but") {
		t.Errorf("all with ELF: %q", f)
	}
	if f := findings(res[1:2]); len(f) != 1 || !strings.Contains(f[0], "note: architecture amd64, but no ELF files inside: could it be all?") {
		t.Errorf("amd64 without ELF: %q", f)
	}
	if f := findings(res[2:]); len(f) != 0 {
		t.Errorf("good package: %q", f)
	}
	// A note is not refused by --strict.
	if _, err := r.Add([]string{buildTestDeb(t, t.TempDir(), "noelf2", "1", "amd64", "", nil)}, AddOptions{Strict: true}); err != nil {
		t.Errorf("strict add with a note: %v", err)
	}
}

func TestAddRefusesOtherBytes(t *testing.T) {
	r := newTestRepo(t, false)
	a := buildTestDeb(t, t.TempDir(), "pkg", "1:1.0-1", "all", "", nil)
	res, err := r.Add([]string{a}, AddOptions{})
	if err != nil || res[0].Package.Filename != "pool/main/p/pkg/pkg_1.0-1_all.deb" {
		t.Fatalf("add: %+v %v", res, err)
	}
	if res, err := r.Add([]string{a}, AddOptions{}); err != nil || !res[0].Unchanged {
		t.Errorf("adding the same bytes again: %+v %v", res, err)
	}
	b := buildTestDeb(t, t.TempDir(), "pkg", "1:1.0-1", "all", "", map[string][]byte{"usr/share/x": []byte("other")})
	good := buildTestDeb(t, t.TempDir(), "other", "1", "all", "", nil)
	_, err = r.Add([]string{good, b}, AddOptions{})
	if err == nil || !strings.Contains(err.Error(), "already in stable with other contents") {
		t.Fatalf("adding other bytes: %v", err)
	}
	if pkgs, _ := r.Packages(""); len(pkgs) != 1 {
		t.Errorf("a refused add added %d packages", len(pkgs)-1)
	}
	broken := filepath.Join(t.TempDir(), "broken.deb")
	os.WriteFile(broken, []byte("!<arch>\nnot really"), 0o644)
	if _, err := r.Add([]string{broken}, AddOptions{}); err == nil || !strings.Contains(err.Error(), "broken package") {
		t.Errorf("broken archive: %v", err)
	}
	lib := buildTestDeb(t, t.TempDir(), "libfoo2", "3", "all", "", nil)
	if res, err := r.Add([]string{lib}, AddOptions{}); err != nil || res[0].Package.Filename != "pool/main/libf/libfoo2/libfoo2_3_all.deb" {
		t.Errorf("lib pool path: %+v %v", res, err)
	}
}

func TestRemoveAndCheck(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	publish(t, r, testNow, 0)
	if gone, err := r.Remove("", []string{"armtool=0.5"}); err != nil || len(gone) != 1 {
		t.Fatalf("remove: %v %v", gone, err)
	}
	if _, err := r.Remove("", []string{"nosuch"}); err == nil {
		t.Errorf("removing a missing package succeeded")
	}
	c, _ := r.Check(testNow)
	if hasProblem(c) || len(c) != 1 || !strings.Contains(c[0].Message, "differs from the published indexes") {
		t.Errorf("check before publishing the removal: %v", c)
	}
	// The removed package's file stays in the pool while one of the last
	// published sets names it (for a rollback), and no longer.
	const armtool = "pool/main/a/armtool/armtool_0.5_arm64.deb"
	res := publish(t, r, testNow.Add(time.Minute), 0)
	if slices.Contains(res[0].Removed, armtool) {
		t.Errorf("publish dropped the removed package's file at once: %+v", res)
	}
	if c, _ := r.Check(testNow); len(c) != 0 {
		t.Errorf("check after publishing: %v", c)
	}
	for i := range publishedKeep - 1 {
		addFillers(t, r, i+1)
		res = publish(t, r, testNow.Add(time.Duration(2+i)*time.Minute), 0)
		if gone := slices.Contains(res[0].Removed, armtool); gone != (i == publishedKeep-2) {
			t.Errorf("publish %d after the removal: removed %v", i+2, res[0].Removed)
		}
	}
	// Corrupt one index and one pool file: check reports both.
	os.WriteFile(filepath.Join(r.Dir, "dists/stable/main/binary-amd64/Packages.gz"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(r.Dir, "pool/main/d/demo-app/demo-app_1.0_all.deb"), []byte("x"), 0o644)
	c, _ = r.Check(testNow)
	var got []string
	for _, f := range c {
		if f.Problem {
			got = append(got, f.Path)
		}
	}
	if !slices.Contains(got, "dists/stable/main/binary-amd64/Packages.gz") || !slices.Contains(got, "pool/main/d/demo-app/demo-app_1.0_all.deb") {
		t.Errorf("check problems: %v", c)
	}
}
