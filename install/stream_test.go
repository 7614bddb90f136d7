package install

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"aim/deb"
)

func TestReceive(t *testing.T) {
	f := newFixture(t)
	data, err := os.ReadFile(f.build(spec{name: "hello", version: "1.0", files: map[string]string{"/usr/share/hello/a": "a\n"}}))
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "in.deb")
	var atControl int64
	var last int64
	rec, err := Receive(context.Background(), bytes.NewReader(data), dest, 1<<20, func(n int64) { last = n },
		func(c *deb.ControlArchive) error {
			atControl = last
			if c.Control.Get("Package") != "hello" {
				t.Errorf("control = %v", c.Control)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if rec.Size != int64(len(data)) || rec.SHA256 != hex.EncodeToString(sum[:]) || rec.Path != dest {
		t.Errorf("received %+v", rec)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) {
		t.Error("the file differs from the stream")
	}
	if atControl <= 0 || atControl >= int64(len(data)) {
		t.Errorf("control seen after %d of %d bytes, want before the payload", atControl, len(data))
	}
}

func TestReceiveFailuresLeaveNoFile(t *testing.T) {
	f := newFixture(t)
	data, err := os.ReadFile(f.build(spec{name: "hello", version: "1.0"}))
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		data      []byte
		max       int64
		onControl error
		check     func(error) bool
	}{
		{"malformed", context.Background(), []byte("!<arch>\nnot a deb"), 1 << 20, nil,
			func(err error) bool { var ae *ArchiveError; return errors.As(err, &ae) }},
		{"truncated", context.Background(), data[:len(data)-10], 1 << 20, nil,
			func(err error) bool { var ae *ArchiveError; return errors.As(err, &ae) }},
		{"too large", context.Background(), data, 100, nil, func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"refused at control", context.Background(), data, 1 << 20, stop, func(err error) bool { return errors.Is(err, stop) }},
		{"cancelled", cancelled, data, 1 << 20, nil, func(err error) bool { return errors.Is(err, context.Canceled) }},
	} {
		dest := filepath.Join(t.TempDir(), "in.deb")
		_, err := Receive(tc.ctx, bytes.NewReader(tc.data), dest, tc.max, nil, func(*deb.ControlArchive) error { return tc.onControl })
		if err == nil || !tc.check(err) {
			t.Errorf("%s: error %v", tc.name, err)
		}
		if _, serr := os.Stat(dest); !os.IsNotExist(serr) {
			t.Errorf("%s: file left: %v", tc.name, serr)
		}
	}
}
