package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"aim/db"
)

// TestOpenFinishesInterruptedConfiguration kills aim during a postinst
// (as a crash or Ctrl-C would) and checks that the next Open, with
// nothing else to do, configures the package, runs the file trigger the
// interrupted transaction activated, ends the task as Failed with the
// reason and logs what recovery did; and that KeepPending only reports.
func TestOpenFinishesInterruptedConfiguration(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(map[bool]string{false: "configure", true: "keep-pending"}[keep], func(t *testing.T) {
			f := newFixture(t)
			f.mustRun(f.install(spec{name: "watcher", version: "1", scripts: map[string]string{
				"postinst": f.logScript(""), "triggers": "interest-noawait /usr/share/app\n"}}))
			f.scriptLog()
			mark := filepath.Join(f.dir, "crashed-once")
			s := f.scripted("app", "1", map[string]string{"/usr/share/app/data": "a"})
			s.scripts["postinst"] = f.logScript("if [ ! -e " + mark + " ]; then touch " + mark + "; kill -9 $PPID; sleep 10; fi")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), installChild+"="+f.build(s), "AIM_TEST_ROOT="+f.root)
			if err := cmd.Run(); err == nil {
				t.Fatal("the install survived its postinst killing it")
			}
			f.scriptLog()

			in, err := Open(f.root, Options{ChrootlessScripts: true, NoSessionLog: true, KeepPending: keep})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			rec := in.Recovered()
			pending, err := in.Pending()
			if err != nil {
				t.Fatal(err)
			}
			var ran []string
			for _, l := range f.scriptLog() {
				ran = append(ran, strings.TrimSpace(l))
			}
			if keep {
				want := map[string]string{"app": StateHalfConfigured, "watcher": StateTriggersPending}
				if !reflect.DeepEqual(pending, want) || len(ran) != 0 {
					t.Fatalf("kept: pending %v, scripts %q; want %v and none", pending, ran, want)
				}
			} else {
				want := []string{"app postinst configure", "watcher postinst triggered /usr/share/app"}
				if !reflect.DeepEqual(ran, want) || len(pending) != 0 {
					t.Fatalf("scripts %q, pending %v; want %q and nothing pending", ran, pending, want)
				}
				if !slices.Equal(rec.Configured, []string{"app"}) || !slices.Equal(rec.Triggered, []string{"watcher"}) {
					t.Errorf("recovered %+v, want app configured and watcher triggered", rec)
				}
			}
			tasks, err := in.DB().Tasks(0)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				if tk.Package == "app" && (tk.State != Failed.String() || !strings.Contains(tk.Error, "interrupted")) {
					t.Errorf("task of app: %s %q, want Failed as interrupted", tk.State, tk.Error)
				}
			}
			if len(rec.Interrupted) != 1 {
				t.Errorf("interrupted tasks %v, want the install", rec.Interrupted)
			}
			logs, err := in.DB().Transcripts(0)
			if err != nil {
				t.Fatal(err)
			}
			last := logs[len(logs)-1]
			if !strings.HasPrefix(last.Operation, "recover") || !strings.Contains(last.Text, "interrupted") ||
				!keep && !strings.Contains(last.Text, "app postinst") {
				t.Errorf("last log entry %q:\n%s", last.Operation, last.Text)
			}
		})
	}
}

// TestVerifyNamesPendingPackages checks that Verify reports each state
// of pending configuration as NotConfigured, and nothing once none is.
func TestVerifyNamesPendingPackages(t *testing.T) {
	for _, tc := range []struct {
		key, value, want string
	}{
		{halfConfiguredKey, `{"app":""}`, "app: half-configured"},
		{triggersPendingKey, `{"app":["/usr/share/x"]}`, "app: triggers-pending"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			f := newFixture(t)
			f.mustRun(f.install(spec{name: "app", version: "1", files: map[string]string{"/usr/share/app/a": "a"}}))
			if err := f.d.Update(func(tx *db.Tx) error { return tx.SetMeta(tc.key, tc.value) }); err != nil {
				t.Fatal(err)
			}
			probs, err := Verify(f.root, f.e.Arch, f.d, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) != 1 || probs[0].Kind != NotConfigured || !strings.HasPrefix(probs[0].String(), tc.want) {
				t.Fatalf("verify = %v, want %q", probs, tc.want)
			}
		})
	}
}

// TestHalfConfiguredRemovedOrReplaced checks that a half-configured
// package whose postinst keeps failing can still be removed, or
// unpacked again by a fixed version, as under dpkg, and is then no
// longer pending; an unrelated transaction still configures it first.
func TestHalfConfiguredRemovedOrReplaced(t *testing.T) {
	tests := []struct {
		name    string
		change  func(f *fixture) Change
		wantErr bool
	}{
		{"remove", func(f *fixture) Change { return Change{Action: Remove, Name: "app"} }, false},
		{"fixed version", func(f *fixture) Change {
			return f.install(spec{name: "app", version: "2", files: map[string]string{"/usr/share/app/a": "b"}})
		}, false},
		{"unrelated", func(f *fixture) Change { return f.install(spec{name: "other", version: "1"}) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			broken := filepath.Join(f.dir, "broken")
			s := spec{name: "app", version: "1", files: map[string]string{"/usr/share/app/a": "a"},
				scripts: map[string]string{"postinst": "if [ -e " + broken + " ]; then exit 1; fi\n"}}
			f.mustRun(f.install(s))
			os.WriteFile(broken, nil, 0o644)
			if err := f.d.Update(func(tx *db.Tx) error { return tx.SetMeta(halfConfiguredKey, `{"app":""}`) }); err != nil {
				t.Fatal(err)
			}
			_, err := f.run(false, tc.change(f))
			if (err != nil) != tc.wantErr {
				t.Fatalf("run: %v, want error %v", err, tc.wantErr)
			}
			pending, _ := PendingState(f.d)
			if want := tc.wantErr; (pending["app"] != "") != want {
				t.Errorf("pending %v after %s", pending, tc.name)
			}
			f.checkConsistent()
		})
	}
}
