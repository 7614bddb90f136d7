package server

// This file bounds what one client may hold of the server: connections
// per address, and how slowly it may read a response.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// ConnLimits bound the connections a Listener hands out.
type ConnLimits struct {
	// MinRate is the slowest a client may read, in bytes a second,
	// measured over RateWindow: every MinRate×RateWindow bytes of a
	// response must leave within RateWindow, or the connection is
	// dropped. A fixed write timeout would cut large downloads on slow
	// links; this cuts only clients that stall.
	MinRate int64
	// RateWindow is how long a client may read slower than MinRate.
	RateWindow time.Duration
	// MaxPerHost bounds the connections open from one client address at
	// once; more are answered 503 and closed.
	MaxPerHost int
}

// DefaultConnLimits are the limits of "aim repo serve": 1 KiB/s over 30
// seconds (a slow mobile link reads far faster) and 16 connections per
// client address (a browser opens 6).
var DefaultConnLimits = ConnLimits{MinRate: 1 << 10, RateWindow: 30 * time.Second, MaxPerHost: 16}

// ErrSlowClient is the write error of a connection dropped because its
// client read slower than ConnLimits.MinRate.
var ErrSlowClient = errors.New("client reads too slowly")

// Listener is a net.Listener that enforces ConnLimits on the connections
// it accepts. It is safe for concurrent use.
type Listener struct {
	net.Listener
	limits  ConnLimits
	mu      sync.Mutex
	perHost map[string]int
	open    int
}

// NewListener wraps ln with limits; a zero field of limits takes its
// value from DefaultConnLimits.
func NewListener(ln net.Listener, limits ConnLimits) *Listener {
	if limits.MinRate <= 0 {
		limits.MinRate = DefaultConnLimits.MinRate
	}
	if limits.RateWindow <= 0 {
		limits.RateWindow = DefaultConnLimits.RateWindow
	}
	if limits.MaxPerHost <= 0 {
		limits.MaxPerHost = DefaultConnLimits.MaxPerHost
	}
	return &Listener{Listener: ln, limits: limits, perHost: map[string]int{}}
}

// busyResponse answers a connection over MaxPerHost.
const busyResponse = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 37\r\nRetry-After: 5\r\n\r\ntoo many connections from your host\r\n"

// Accept returns the next connection whose client holds fewer than
// MaxPerHost; the others are answered 503 and closed as they come.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := c.RemoteAddr().String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		l.mu.Lock()
		if l.perHost[host] >= l.limits.MaxPerHost {
			l.mu.Unlock()
			go refuseConn(c)
			continue
		}
		l.perHost[host]++
		l.open++
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l, host: host}, nil
	}
}

// refuseConn answers busy, briefly, and closes c.
func refuseConn(c net.Conn) {
	c.SetWriteDeadline(time.Now().Add(time.Second))
	c.Write([]byte(busyResponse))
	c.Close()
}

// Conns returns the number of connections open now.
func (l *Listener) Conns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

func (l *Listener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.perHost[host]--; l.perHost[host] <= 0 {
		delete(l.perHost, host)
	}
}

// limitedConn writes in pieces of MinRate×RateWindow bytes, each with a
// deadline RateWindow away (or the caller's earlier one).
type limitedConn struct {
	net.Conn
	l     *Listener
	host  string
	once  sync.Once
	mu    sync.Mutex
	outer time.Time // the write deadline the caller set, if any
}

func (c *limitedConn) Write(p []byte) (int, error) {
	lim := c.l.limits
	piece := max(int(lim.MinRate*int64(lim.RateWindow)/int64(time.Second)), 1)
	n := 0
	for n < len(p) {
		end := min(len(p), n+piece)
		if err := c.Conn.SetWriteDeadline(c.deadline(lim.RateWindow)); err != nil {
			return n, err
		}
		k, err := c.Conn.Write(p[n:end])
		n += k
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && !c.outerPassed() {
				err = fmt.Errorf("%w: under %d bytes/s for %v: %w", ErrSlowClient, lim.MinRate, lim.RateWindow, err)
			}
			return n, err
		}
	}
	return n, nil
}

// deadline is window from now, or the caller's deadline when earlier.
func (c *limitedConn) deadline(window time.Duration) time.Time {
	d := time.Now().Add(window)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.outer.IsZero() && c.outer.Before(d) {
		return c.outer
	}
	return d
}

func (c *limitedConn) outerPassed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.outer.IsZero() && !time.Now().Before(c.outer)
}

// SetWriteDeadline records t; writes end by it as well.
func (c *limitedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.outer = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// SetDeadline sets the read deadline and records the write deadline.
func (c *limitedConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// CloseWrite shuts down the writing side, where the connection can.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close closes the connection and gives its place back, once.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.host) })
	return err
}
