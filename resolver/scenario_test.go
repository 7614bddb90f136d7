package resolver_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// TestScenarios runs every testdata/resolver/*.txt file: a repository, an
// installed set, a request and the expected plan (or error).
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("../testdata/resolver/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenario files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	sc, err := resolvertest.ReadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	u, inst, err := resolvertest.NewUniverse(sc.Repo, sc.Installed)
	if err != nil {
		t.Fatal(err)
	}
	req, err := requestOf(sc.Request, inst)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := resolver.Solve(u, req)
	checkExpect(t, sc.Expect, plan, err)
	if plan != nil {
		if msg := check(u, inst, plan, req); msg != "" {
			t.Errorf("plan is not valid: %s", msg)
		}
	}
}

func requestOf(lines []string, inst []*resolver.Package) (*resolver.Request, error) {
	req := &resolver.Request{Arch: "amd64", Installed: inst, Recommends: true}
	for _, l := range lines {
		verb, arg, _ := strings.Cut(l, " ")
		switch verb {
		case "install":
			rels, err := deb.ParseRelations(arg)
			if err != nil {
				return nil, err
			}
			for _, a := range rels {
				req.Install = append(req.Install, a[0])
			}
		case "remove":
			req.Remove = append(req.Remove, strings.Fields(arg)...)
		case "mayremove":
			req.MayRemove = append(req.MayRemove, strings.Fields(arg)...)
		case "lock":
			req.Lock = append(req.Lock, strings.Fields(arg)...)
		case "norecommends":
			req.Recommends = false
		default:
			return nil, errors.New("unknown request line " + l)
		}
	}
	return req, nil
}

func checkExpect(t *testing.T, expect []string, plan *resolver.Plan, err error) {
	t.Helper()
	var want []string
	for _, l := range expect {
		switch {
		case strings.HasPrefix(l, "error:"):
			sub := strings.TrimSpace(strings.TrimPrefix(l, "error:"))
			var ce *resolver.ConflictError
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), sub) {
				t.Errorf("error = %v, want a *ConflictError containing %q", err, sub)
			}
			return
		case strings.HasPrefix(l, "order:"):
			if err == nil {
				if got := resolvertest.StepNames(plan); got != strings.TrimSpace(strings.TrimPrefix(l, "order:")) {
					t.Errorf("order = %q, want %q", got, strings.TrimSpace(strings.TrimPrefix(l, "order:")))
				}
			}
		case l == "nothing":
		default:
			want = append(want, l)
		}
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	slices.Sort(want)
	if got := resolvertest.PlanLines(plan); !slices.Equal(got, want) {
		t.Errorf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
