package deb

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
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

// Data reads ahead in a goroutine only where there is decompressing to
// overlap with the caller's work: not for an uncompressed data.tar
// (copying it between goroutines is pure cost) nor for a small member.
func TestDataReadsAheadOnlyWhenDecompressing(t *testing.T) {
	small := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	large := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	for _, tc := range []struct {
		name string
		dir  string
		c    Compression
		want bool
	}{
		{"large gzip", large, Gzip, true},
		{"large zstd", large, Zstd, true},
		{"large none", large, None, false},
		{"small gzip", small, Gzip, false},
		{"small none", small, None, false},
	} {
		pkg := buildBytes(t, tc.dir, BuildOptions{Compression: tc.c})
		ar, err := NewArchiveReader(bytes.NewReader(pkg))
		if err != nil {
			t.Fatal(err)
		}
		dr, err := ar.Data()
		if err != nil {
			t.Fatal(err)
		}
		_, ahead := dr.drain.(*readAhead)
		if ahead != tc.want {
			t.Errorf("%s (%d bytes): read-ahead %v, want %v", tc.name, len(pkg), ahead, tc.want)
		}
		n := 0
		for _, err = dr.Next(); err == nil; _, err = dr.Next() {
			n++
		}
		if err != io.EOF || n < len(sampleFiles)-6 {
			t.Errorf("%s: %d entries, then %v", tc.name, n, err)
		}
		ar.Signatures()
	}
}
