package unpack

import (
	"fmt"
	"io"
)

// ExtractStaged works like Extract but writes every entry other than a
// directory to its target path followed by suffix (for example
// "usr/bin/hello.aim-tmp"), leaving whatever stands at the target itself
// untouched, so that an installer can rename the staged files into place
// later. Directories are created (or updated) at their targets, as they
// must exist to hold the staged files. Hard links point to the staged
// file of their target. The returned entries name the targets, not the
// staged paths. Several calls may stage into the same root at once: a
// directory both create is made once, and neither fails.
func ExtractStaged(tr TarReader, root, suffix string, opts Options) ([]Entry, error) {
	x, err := newExtractor(root, opts)
	if err != nil {
		return nil, err
	}
	defer x.releaseBuffer()
	x.suffix = suffix
	x.staging = true
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err != nil {
			return x.finishStaged(err)
		}
		if n >= x.opts.MaxEntries {
			return x.entries, errTooMany(x.opts.MaxEntries)
		}
		if err := x.entry(h, tr); err != nil {
			return x.entries, err
		}
	}
}

func (x *extractor) finishStaged(err error) ([]Entry, error) {
	if err != io.EOF {
		return x.entries, err
	}
	return x.entries, x.finish()
}

func errTooMany(n int) error { return fmt.Errorf("more than %d entries", n) }
