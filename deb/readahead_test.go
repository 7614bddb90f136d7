package deb

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

func TestReadAhead(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), readAheadSize/4) // 2.5 buffers
	boom := errors.New("boom")
	tests := []struct {
		name    string
		r       io.Reader
		want    []byte
		wantErr error
	}{
		{"whole", bytes.NewReader(data), data, nil},
		{"one byte a read", iotest.OneByteReader(bytes.NewReader(data[:1000])), data[:1000], nil},
		{"empty", bytes.NewReader(nil), nil, nil},
		{"error after data", io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), data, boom},
		{"error with data", iotest.DataErrReader(bytes.NewReader(data[:10])), data[:10], nil},
		{"truncated", io.MultiReader(bytes.NewReader(data[:7]), iotest.ErrReader(io.ErrUnexpectedEOF)), data[:7], io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ra := newReadAhead(tc.r)
			defer ra.Close()
			got, err := io.ReadAll(ra)
			if !errors.Is(err, tc.wantErr) || !bytes.Equal(got, tc.want) {
				t.Errorf("read %d bytes, %v; want %d bytes, %v", len(got), err, len(tc.want), tc.wantErr)
			}
			if _, err := ra.Read(make([]byte, 1)); err == nil {
				t.Error("Read after the end returned no error")
			}
		})
	}
}

// TestReadAheadClose checks that Close stops a read-ahead that is ahead
// of its reader and that Read then fails instead of blocking.
func TestReadAheadClose(t *testing.T) {
	ra := newReadAhead(bytes.NewReader(make([]byte, 10*readAheadSize)))
	if _, err := io.ReadFull(ra, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	ra.Close() // twice is fine
	if _, err := io.Copy(io.Discard, ra); err == nil {
		t.Error("reading after Close returned no error")
	}
}

// TestReadAheadReusesBuffers checks that read-aheads of small streams,
// one after another, reuse their buffers instead of allocating
// readAheadDepth+1 fresh ones each (125 MB for 100; the bound leaves
// room for the race detector, which drops some of a sync.Pool's puts).
func TestReadAheadReusesBuffers(t *testing.T) {
	small := bytes.Repeat([]byte("x"), 1000)
	run := func() {
		ra := newReadAhead(bytes.NewReader(small))
		if got, err := io.ReadAll(ra); err != nil || !bytes.Equal(got, small) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		ra.Close()
	}
	run()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 100
	for range runs {
		run()
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 60*readAheadSize {
		t.Errorf("%d read-aheads of %d bytes allocated %d bytes, want under %d", runs, len(small), got, 60*readAheadSize)
	}
}
