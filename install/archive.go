package install

import (
	"fmt"
	"os"

	"aim/deb"
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
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer ar.Close()
	return &readArchive{ctrl: ar.Control(), file: fi}, nil
}

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
