package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallBuffers accepts connections with small kernel send buffers, so a
// response of a few hundred KiB cannot vanish into them.
type smallBuffers struct{ net.Listener }

func (s smallBuffers) Accept() (net.Conn, error) {
	c, err := s.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(32 << 10)
	}
	return c, err
}

// limitedServer serves a test repository holding a file pool/big.bin of size
// bytes on 127.0.0.1, through a Listener with limits.
func limitedServer(t *testing.T, limits ConnLimits, size int) (*Listener, string) {
	t.Helper()
	s, _, dir := testServer(t)
	if err := os.WriteFile(filepath.Join(dir, "pool", "big.bin"), bytes.Repeat([]byte("0123456789abcdef"), size/16), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewListener(smallBuffers{ln}, limits)
	hs := &http.Server{Handler: s}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return l, ln.Addr().String()
}

// dialSmall connects to addr with a small receive buffer and sends a
// request for path.
func dialSmall(t *testing.T, addr, path string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	tc.SetReadBuffer(64 << 10)
	t.Cleanup(func() { c.Close() })
	if path != "" {
		if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	return tc
}

// waitConns waits, within a generous bound, until l holds want
// connections.
func waitConns(t *testing.T, l *Listener, want int) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); l.Conns() != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d connections open, want %d", l.Conns(), want)
		}
	}
}

// TestSlowReadersAreDropped has clients that never read a large file:
// the server drops each after its window, and what a client then reads
// is cut short. A client reading steadily above the minimum rate, for
// many windows, gets the whole file.
func TestSlowReadersAreDropped(t *testing.T) {
	const size = 4 << 20
	limits := ConnLimits{MinRate: 32 << 10, RateWindow: time.Second, MaxPerHost: 8}
	l, addr := limitedServer(t, limits, size)
	var stalled []*net.TCPConn
	for range 4 {
		stalled = append(stalled, dialSmall(t, addr, "/pool/big.bin"))
	}
	waitConns(t, l, 4)
	waitConns(t, l, 0)
	for i, c := range stalled {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		n, _ := io.Copy(io.Discard, c)
		if n >= size {
			t.Errorf("stalled client %d read %d bytes, the whole file", i, n)
		}
	}

	steady := dialSmall(t, addr, "/pool/big.bin?steady")
	steady.SetReadDeadline(time.Now().Add(60 * time.Second))
	br := bufio.NewReader(steady)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// 16 KiB every 10 ms: some 50 times the minimum rate, for 3 MiB,
	// longer than a window (a fixed write timeout of one window would
	// cut it).
	var got int64
	buf := make([]byte, 16<<10)
	for got < 3<<20 {
		n, err := io.ReadFull(resp.Body, buf)
		got += int64(n)
		if err != nil {
			t.Fatalf("steady client cut after %d bytes: %v", got, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	rest, err := io.Copy(io.Discard, resp.Body)
	if err != nil || got+rest != size {
		t.Errorf("steady client read %d bytes of %d: %v", got+rest, size, err)
	}
}

// TestConnectionsPerHostAreCapped opens the most connections one address
// may hold; the next is answered 503 and closed, and once one closes a
// new one is served.
func TestConnectionsPerHostAreCapped(t *testing.T) {
	l, addr := limitedServer(t, ConnLimits{MaxPerHost: 3}, 16)
	var held []*net.TCPConn
	for range 3 {
		held = append(held, dialSmall(t, addr, ""))
	}
	waitConns(t, l, 3)
	extra := dialSmall(t, addr, "")
	extra.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := io.ReadAll(extra)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection over the cap held open: %v", err)
	}
	if !strings.HasPrefix(string(b), "HTTP/1.1 503") && err == nil {
		t.Errorf("connection over the cap answered %q", b)
	}
	if l.Conns() != 3 {
		t.Errorf("%d connections open, want 3", l.Conns())
	}
	held[0].Close()
	waitConns(t, l, 2)
	resp, err := http.Get("http://" + addr + "/pool/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after a close: %d", resp.StatusCode)
	}
}
