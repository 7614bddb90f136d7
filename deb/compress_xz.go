package deb

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
)

// systemXz returns the path of the system's xz when it is installed and
// runs multi-threaded with a fixed block size (XZ Utils 5.4 and later,
// where -T+N forces that mode even for one thread), else "".
var systemXz = sync.OnceValue(func() string {
	path, err := exec.LookPath("xz")
	if err != nil {
		return ""
	}
	out, err := exec.Command(path, "--robot", "--version").Output()
	if err != nil {
		return ""
	}
	// "XZ_VERSION=50040012" is major*10000000 + minor*10000 + patch*10 + stability.
	for _, line := range bytes.Split(out, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("XZ_VERSION=")); ok {
			if n, err := strconv.Atoi(string(v)); err == nil && n >= 50040000 {
				return path
			}
		}
	}
	return ""
})

// xzCommand compresses into w through the system's xz at preset level
// (0: 6) in multi-threaded mode with GOMAXPROCS threads: the output is made
// of blocks of a size fixed by the preset, so it is the same whatever the
// number of threads, as with dpkg-deb (liblzma's multi-threaded encoder).
type xzCommand struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr bytes.Buffer
	copied chan error
}

func newXzCommand(path string, w io.Writer, level int) (io.WriteCloser, error) {
	if level <= 0 {
		level = 6
	}
	if level > 9 {
		level = 9
	}
	x := &xzCommand{copied: make(chan error, 1)}
	x.cmd = exec.Command(path, "-"+strconv.Itoa(level), "--threads=+"+strconv.Itoa(runtime.GOMAXPROCS(0)),
		"--check=crc64", "--format=xz", "--stdout", "--quiet", "--no-warn")
	x.cmd.Stderr = &x.stderr
	stdout, err := x.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if x.stdin, err = x.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := x.cmd.Start(); err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	go func() {
		_, err := io.Copy(w, stdout)
		if err != nil {
			io.Copy(io.Discard, stdout) // let xz finish
		}
		x.copied <- err
	}()
	return x, nil
}

func (x *xzCommand) Write(p []byte) (int, error) {
	n, err := x.stdin.Write(p)
	if err != nil {
		err = fmt.Errorf("xz: %w", err)
	}
	return n, err
}

// Close ends the input, waits for xz and reports its failure or the
// destination's.
func (x *xzCommand) Close() error {
	x.stdin.Close()
	copyErr := <-x.copied
	if err := x.cmd.Wait(); err != nil {
		return fmt.Errorf("xz: %w: %s", err, bytes.TrimSpace(x.stderr.Bytes()))
	}
	return copyErr
}
