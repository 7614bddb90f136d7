package install

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"aim/deb"
	"aim/internal/gcpercent"
)

// readArchive is the control part of a .deb file, read once: the
// engine reads it when the plan is made or the transaction prepared,
// and stages the payload later from the same file without decompressing
// the control archive again.
type readArchive struct {
	ctrl *deb.ControlArchive
	// file is the archive as it stood when read: staging refuses a file
	// replaced or changed since, whose payload may not match ctrl.
	file os.FileInfo
}

// controlBatch bounds how many control archives readControls reads
// with the garbage collector held off (8 MiB of address space each).
const controlBatch = 64

// readControls reads the control parts of the archives at paths, in
// order; on error, bad is the index of the path that failed.
//
// Decoding an xz control archive allocates the dictionary its header asks
// for (8 MiB) and uses a few KiB of it. Memory the garbage collector
// freed is cleared whole before it is reused (and faulted in again once
// returned to the system), which cost more than the decoding: planning
// 29 real packages spent 70% of its samples clearing memory, 1.1 to 2.1 s
// against 0.45 to 0.6 s without a collection. So the collector is held
// off for up to controlBatch archives at a time, and each dictionary
// comes from fresh memory, of which only the pages used are touched.
func readControls(paths []string) (out []*readArchive, bad int, err error) {
	out = make([]*readArchive, len(paths))
	for start := 0; start < len(paths); start += controlBatch {
		end := min(start+controlBatch, len(paths))
		if i, err := readControlBatch(paths[start:end], out[start:end]); err != nil {
			return nil, start + i, err
		}
	}
	return out, 0, nil
}

// readControlBatch reads the control parts of paths into out, on as
// many goroutines as there are cores: each archive is read whole on
// one, and decoding its control member is CPU work (planning the 29
// packages of bench/real.sh read them one after another, about a tenth
// of a second before anything was staged). The error is that of the
// first path in order that failed, with its index.
func readControlBatch(paths []string, out []*readArchive) (int, error) {
	defer gcpercent.Hold(-1)()
	errs := make([]error, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(paths); i = int(next.Add(1) - 1) {
				out[i], errs[i] = readControl(paths[i])
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return i, err
		}
	}
	return 0, nil
}

// readControl reads the control part of the .deb at path.
func readControl(path string) (*readArchive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		return nil, &archiveError{err}
	}
	defer ar.Close()
	return &readArchive{ctrl: ar.Control(), file: fi}, nil
}

// archiveError is an archive that could be opened but not read.
type archiveError struct{ err error }

func (e *archiveError) Error() string { return e.err.Error() }
func (e *archiveError) Unwrap() error { return e.err }

// unchanged reports whether the file at path is still the one read.
func (r *readArchive) unchanged(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && r.same(fi)
}

func (r *readArchive) same(fi os.FileInfo) bool {
	return os.SameFile(r.file, fi) && fi.Size() == r.file.Size() && fi.ModTime().Equal(r.file.ModTime())
}

// openData opens the archive at path, which r was read from, on its
// payload: the control archive is passed over, not decoded again. The
// caller closes both the reader and the file.
func (r *readArchive) openData(path string) (*os.File, *deb.ArchiveReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !r.same(fi) {
		err = fmt.Errorf("%s changed since its control data was read", path)
	}
	var ar *deb.ArchiveReader
	if err == nil {
		ar, err = deb.NewDataArchiveReader(f)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, ar, nil
}
