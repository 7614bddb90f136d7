package deb

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The payload of most Debian packages is data.tar.xz, and decoding it
// was most of an install's CPU time: XZ Utils' xz decodes it several
// times faster than the Go decoder (0.3 s of CPU against 2 s for the
// 28 MiB payload of libperl5.36), on a core of its own. Data therefore
// decodes xz payloads with the xz program when one is installed, as
// dpkg does with liblzma, and with the Go decoder otherwise. Control
// archives and data.tar members up to inlineDataSize stay with the Go
// decoder: for a few KiB, starting xz costs more than decoding (about
// a fifth of the CPU of `aim deb extract` on a tiny package).

// xzProgram returns the path of the xz program on PATH, or "" when
// there is none.
var xzProgram = sync.OnceValue(func() string {
	p, err := exec.LookPath("xz")
	if err != nil {
		return ""
	}
	return p
})

// useXzProgram lets tests compare the two decoders.
var useXzProgram = true

// xzByProgram reports whether a data.tar compressed with c is decoded
// by the xz program.
func xzByProgram(c Compression) bool { return c == Xz && useXzProgram && xzProgram() != "" }

// xzEnv is the whole environment of the xz program, decoding or
// encoding. Besides the C locale, it asks glibc's malloc to back its
// large blocks with transparent huge pages where the kernel offers them
// on request (THP "madvise" mode, Debian's default; a no-op under
// "never" and "always" and with other C libraries). xz's 8 MiB
// dictionary then costs a few page faults instead of one per 4 KiB page
// it fills (see systemCompressor for encoding): decoding
// libperl5.36's data.tar.xz took 612 faults and 270 ms of CPU instead
// of 2,144 and 364 ms, nano's 109 and 41 ms instead of 792 and 55 ms
// (perf stat -r 5 on a 2-core virtual machine, where faults are dear).
// BenchmarkXzProgram measures it. The output is the same bytes.
var xzEnv = []string{"LC_ALL=C", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}

// maxXzMessage bounds what is kept of xz's error output.
const maxXzMessage = 4096

// dataDecompressor is decompressor for data.tar: xz through the xz
// program when there is one.
func dataDecompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	if !xzByProgram(c) {
		return decompressor(c, r)
	}
	x, err := startXz(xzProgram(), r)
	if err != nil {
		return nil, nil, err
	}
	return x, x.close, nil
}

// xzProcess reads what an xz process decodes from its standard input.
type xzProcess struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr *boundedBuffer
	err    error // the final error once the process was waited for
	waited bool
}

// startXz starts xz decoding r: the member that ends an archive's file,
// as a file xz reads itself (see arReader.memberFile), or any reader,
// which a goroutine of os/exec copies to xz through a pipe.
func startXz(path string, r io.Reader) (*xzProcess, error) {
	cmd := exec.Command(path, "--decompress", "--stdout", "--no-warn")
	cmd.Args[0] = "xz" // its messages start "xz: (stdin): "
	// No XZ_OPT or XZ_DEFAULTS of the user's: the options above only.
	cmd.Env = xzEnv
	cmd.Stdin = r
	x := &xzProcess{cmd: cmd, stderr: &boundedBuffer{max: maxXzMessage}}
	cmd.Stderr = x.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	x.out = out
	growPipe(out)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start xz: %w", err)
	}
	return x, nil
}

// Read returns the decoded bytes, then io.EOF when xz exited 0, else an
// error with xz's message (a corrupt or truncated stream).
func (x *xzProcess) Read(p []byte) (int, error) {
	if x.waited {
		return 0, x.err
	}
	n, err := x.out.Read(p)
	if err == nil {
		return n, nil
	}
	x.wait()
	if x.err == io.EOF && err != io.EOF {
		x.err = err
	}
	return n, x.err
}

// wait waits for xz and sets the final error.
func (x *xzProcess) wait() {
	if x.waited {
		return
	}
	x.waited = true
	err := x.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		x.err = io.EOF
	case errors.As(err, &exit):
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(x.stderr.String()), "xz: (stdin): "))
		if msg == "" {
			msg = exit.String()
		}
		x.err = fmt.Errorf("xz: %s", msg)
	default:
		x.err = fmt.Errorf("xz: %w", err)
	}
}

// close stops xz if it still runs and waits for it, so that nothing
// reads the archive after it returns.
func (x *xzProcess) close() {
	if !x.waited {
		x.cmd.Process.Kill()
		x.wait()
	}
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - len(b.b); room > 0 {
		b.b = append(b.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
}

// xzPipeSize is the capacity asked for the pipe xz writes to.
const xzPipeSize = 1 << 20

// growPipe asks for a pipe of xzPipeSize bytes (the default holds 64
// KiB), so that xz runs ahead further and each read takes more.
func growPipe(r io.Reader) {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, xzPipeSize) })
}
