package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

const ttyChildEnv = "AIM_HOOKS_TEST_TTY_CHILD"

// TestRunNoControllingTerminal proves that scripts have no controlling
// terminal even when aim has one. The test starts itself again as a child
// whose controlling terminal is a fresh pseudo-terminal (checked: the
// child can open /dev/tty); the child runs scripts that try `tty` and
// `exec 3</dev/tty`, which must fail, and that report their session and
// controlling terminal from /proc.
func TestRunNoControllingTerminal(t *testing.T) {
	if os.Getenv(ttyChildEnv) == "1" {
		ttyChild(t)
		return
	}
	pts, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer pts.Close()
	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunNoControllingTerminal$", "-test.count=1")
	cmd.Env = append(os.Environ(), ttyChildEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"aim-tty=open",              // the control: aim itself has a terminal
		"script-tty=none",           // the script cannot open /dev/tty
		"script-ttynr=0",            // the kernel says: no controlling terminal
		"script-session-leader=yes", // a new session
		"failing-script=ok",         // plain `tty; exec 3</dev/tty` fails
	} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("child output lacks %q:\n%s", want, out.String())
		}
	}
}

// ttyChild is the body of the child started above.
func ttyChild(t *testing.T) {
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err != nil {
		fmt.Println("aim-tty=none:", err)
	} else {
		fmt.Println("aim-tty=open")
		f.Close()
	}
	dir := t.TempDir()
	probe := writeScript(t, dir, "foo.postinst", `#!/bin/sh
if (exec 3</dev/tty) 2>/dev/null; then echo script-tty=open; else echo script-tty=none; fi
set -- $(cat /proc/$$/stat)
echo "script-ttynr=$7"
if [ "$6" = "$$" ]; then echo script-session-leader=yes; else echo script-session-leader=no; fi
`)
	var r Runner
	res, err := r.Run(testContext(t), Script{Package: "foo", Name: "postinst", Path: probe, Args: PostinstConfigure("")})
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	os.Stdout.Write(res.Output)

	failing := writeScript(t, dir, "foo.preinst", "#!/bin/sh\ntty\nexec 3</dev/tty\necho opened\n")
	res, err = r.Run(testContext(t), Script{Package: "foo", Name: "preinst", Path: failing, Args: PreinstInstall()})
	var se *ScriptError
	if errors.As(err, &se) && bytes.Contains(res.Output, []byte("not a tty")) && !bytes.Contains(res.Output, []byte("opened")) {
		fmt.Println("failing-script=ok")
	} else {
		fmt.Printf("failing-script=unexpected: %v\n%s\n", err, res.Output)
	}
}

// openPTY opens a new pseudo-terminal and returns its slave side.
func openPTY() (*os.File, error) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	// The master must stay open while the slave is used; the test
	// process exits soon after, which closes it.
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		ptmx.Close()
		return nil, e
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		ptmx.Close()
		return nil, e
	}
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		ptmx.Close()
		return nil, err
	}
	ptmxKeep = append(ptmxKeep, ptmx)
	return pts, nil
}

// ptmxKeep keeps pseudo-terminal masters open for the test's lifetime.
var ptmxKeep []*os.File
