package dbus

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid unprivileged calls are made as.
const nobody = 65534

// sendAs calls method on Qt's interface with dbus-send as uid and
// returns its combined output and error.
func sendAs(t *testing.T, addr string, uid uint32, method string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("dbus-send")
	if err != nil {
		t.Skip("dbus-send not installed (Debian package dbus)")
	}
	argv := append([]string{"--bus=" + addr, "--print-reply", "--dest=" + QtName, string(QtPath), QtInterface + "." + method}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestAccessControl(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to call as another uid")
	}
	addr := startBus(t)
	for _, tc := range []struct {
		conf    string
		allowed bool
	}{
		{"", false},
		{"dbus-allow-users = 1, 65534\n", true},
		{"dbus-allow-groups = 65534\n", true},
	} {
		t.Run(strings.TrimSpace(tc.conf), func(t *testing.T) {
			service(t, addr, newRoot(t, tc.conf), 0)
			out, err := sendAs(t, addr, nobody, "packageIds")
			if err != nil {
				t.Fatalf("read-only call refused: %v\n%s", err, out)
			}
			out, err = sendAs(t, addr, nobody, "removePackage", "string:none", "boolean:false")
			denied := strings.Contains(out, "org.freedesktop.DBus.Error.AccessDenied")
			if tc.allowed && (err != nil || denied) {
				t.Errorf("allowed caller refused: %v\n%s", err, out)
			}
			if !tc.allowed && (err == nil || !denied) {
				t.Errorf("caller not refused: %v\n%s", err, out)
			}
		})
	}
}
