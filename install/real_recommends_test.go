package install_test

import (
	"testing"

	"aim/install"
	"aim/install/debiantest"
	"aim/policy"
	"aim/resolver/resolvertest"
)

// TestRealMinbaseRecommendsNotBackfilled offers hello and packages that
// dpkg's packages of a real minbase root recommend (apt-utils,
// bash-completion): installing hello plans exactly hello, and an upgrade
// with nothing to upgrade plans nothing.
func TestRealMinbaseRecommendsNotBackfilled(t *testing.T) {
	debs := debiantest.Debs(t, "hello", "apt-utils", "bash-completion")
	root := debiantest.MinbaseRoot(t)
	in, err := install.Open(root, install.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var locals []install.LocalArchive
	for _, p := range debs {
		l, err := install.ReadLocal(p)
		if err != nil {
			t.Fatal(err)
		}
		locals = append(locals, l)
	}
	s, err := in.System(locals...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		name   string
		decide func() (*policy.Outcome, error)
		want   []string
	}{
		{"install hello", func() (*policy.Outcome, error) {
			return policy.Install(s.Policy, []policy.Want{{Name: "hello"}}, policy.Options{})
		}, []string{"install hello " + versionOf(t, locals, "hello")}},
		{"upgrade", func() (*policy.Outcome, error) { return policy.Upgrade(s.Policy, policy.Options{}) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.decide()
			if err != nil {
				t.Fatal(err)
			}
			got := resolvertest.PlanLines(out.Plan)
			if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
				t.Errorf("plan %q, want %q", got, tc.want)
			}
		})
	}
}

func versionOf(t *testing.T, locals []install.LocalArchive, name string) string {
	for _, l := range locals {
		if l.Name() == name {
			return l.Version()
		}
	}
	t.Fatalf("no local %s", name)
	return ""
}
