package dbus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/install/dbus/dbustest"
)

// TestSystemBusPolicy runs dbus-daemon with contrib's policy file: root
// owns the names and calls everything; an unprivileged uid may call
// everything too, and the service (without polkit on the bus, by
// aim.conf's allow-list) refuses its calls that change the system.
func TestSystemBusPolicy(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to own the names and call as another uid")
	}
	addr := dbustest.SystemBus(t, filepath.Join(contribDir, "org.aim.PackageManager.conf"))
	service(t, addr, newRoot(t, ""), 0)
	if out, err := sendAs(t, addr, nobody, "packageIds"); err != nil {
		t.Errorf("read-only call refused by the bus: %v\n%s", err, out)
	}
	// The bus lets the call through; the service refuses it, naming the
	// setting that would allow it.
	out2, err := sendAs(t, addr, nobody, "removePackage", "string:none", "boolean:false")
	if err == nil || !strings.Contains(out2, "AccessDenied") || !strings.Contains(out2, "dbus-allow-users") {
		t.Errorf("an unprivileged uid's removePackage was not refused by the service: %v\n%s", err, out2)
	}
	if out, err := sendAs(t, addr, 0, "removePackage", "string:none", "boolean:false"); err != nil {
		t.Errorf("root refused: %v\n%s", err, out)
	}
}
