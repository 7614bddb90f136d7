package deb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
)

// systemXz returns the path of the system's xz when it is installed and
// runs multi-threaded with a fixed block size (XZ Utils 5.4 and later,
// where -T+N forces that mode even for one thread), else "".
var systemXz = sync.OnceValue(func() string {
	path := xzProgram()
	if path == "" {
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

// systemGzip returns the path of the system's gzip, or "".
var systemGzip = sync.OnceValue(func() string {
	path, err := exec.LookPath("gzip")
	if err != nil {
		return ""
	}
	return path
})

// systemCompressor returns a compressor for c that runs the system's
// program, or nil when there is none for c. bound is at least the size of
// what will be written (a tar stream's size bound), or 0 when unknown.
func systemCompressor(c Compression, w io.Writer, level int, bound int64) (io.WriteCloser, error) {
	switch {
	case c == Xz && systemXz() != "":
		if level <= 0 {
			level = 6
		}
		// Multi-threaded mode with GOMAXPROCS threads: the output is made
		// of blocks of a size fixed by the preset, so it is the same
		// whatever the number of threads, as with dpkg-deb (liblzma's
		// multi-threaded encoder). xzEnv backs the encoder's large
		// tables (94 MiB at -6) with huge pages where the kernel offers
		// them on request: compressing a 26 MB tree at -6 took 35,493
		// page faults and 6.6-6.9 s of CPU without it, 2,472-2,803 and
		// 6.1-6.4 s with it (perf stat, two alternating pairs on a 2-core
		// virtual machine), for the same bytes and 18 MB more at peak.
		return newCompressCommand(systemXz(), xzEnv, w, "-"+strconv.Itoa(min(level, 9)),
			"--threads=+"+strconv.Itoa(runtime.GOMAXPROCS(0)), "--check=crc64", "--format=xz", "--no-warn")
	case c == Gzip && systemGzip() != "":
		if level <= 0 {
			level = 9
		}
		// -n: no name and no time stamp, as aim's own gzip writes. The
		// input is cut in chunks as aim's own gzip cuts it, each chunk
		// compressed by a gzip process of its own into one member,
		// several at once: the bytes depend only on the input (and
		// gzip's version), never on the number of cores.
		// Input that fits in one chunk streams through one process,
		// started now: the same bytes as the chunk's process would
		// write, without waiting for the whole input to start it.
		if bound > 0 && bound <= gzipChunkSize {
			return newCompressCommand(systemGzip(), nil, w, "-"+strconv.Itoa(min(level, 9)), "-n")
		}
		path, args := systemGzip(), []string{"-" + strconv.Itoa(min(level, 9)), "-n", "--stdout", "--quiet"}
		return newChunkedCompressor(w, gzipChunkSize, gzipWorkers(), func(dst, chunk []byte) ([]byte, error) {
			return runChunk(path, args, dst, chunk)
		}), nil
	}
	return nil, nil
}

// runChunk appends to dst what the program at path, run with args,
// writes for chunk on its standard input.
func runChunk(path string, args []string, dst, chunk []byte) ([]byte, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(chunk)
	out := bytes.NewBuffer(dst)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(path), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out.Bytes(), nil
}

// compressCommand compresses into w through a program reading its input
// on stdin and writing the result on stdout.
type compressCommand struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	in     *bufio.Writer // gathers the small writes (tar headers) for stdin
	stderr bytes.Buffer
	copied chan error
	name   string
}

// newCompressCommand starts the program at path with args, and env as
// its whole environment unless env is nil (then it inherits aim's),
// compressing what is written to it into w.
func newCompressCommand(path string, env []string, w io.Writer, args ...string) (io.WriteCloser, error) {
	x := &compressCommand{copied: make(chan error, 1), name: filepath.Base(path)}
	x.cmd = exec.Command(path, append(args, "--stdout", "--quiet")...)
	x.cmd.Env = env
	x.cmd.Stderr = &x.stderr
	stdout, err := x.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if x.stdin, err = x.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	x.in = bufio.NewWriterSize(x.stdin, copyBufferSize)
	if err := x.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", x.name, err)
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

func (x *compressCommand) Write(p []byte) (int, error) {
	n, err := x.in.Write(p)
	if err != nil {
		err = fmt.Errorf("%s: %w", x.name, err)
	}
	return n, err
}

// Close ends the input, waits for the program and reports its failure or
// the destination's.
func (x *compressCommand) Close() error {
	flushErr := x.in.Flush()
	x.stdin.Close()
	copyErr := <-x.copied
	if err := x.cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w: %s", x.name, err, bytes.TrimSpace(x.stderr.Bytes()))
	}
	if flushErr != nil {
		return fmt.Errorf("%s: %w", x.name, flushErr)
	}
	return copyErr
}
