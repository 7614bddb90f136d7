package deb

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// A -Z none build to a file reads the tree once. The md5sums member,
// which control.tar holds ahead of data.tar, is hashed while data.tar is
// written: its size is known beforehand (32 hex digits a line), so
// control.tar is first written with placeholderSum in every line, then
// written again in place, at the same size, once data.tar is done. A
// compressed control.tar cannot be patched so: its size depends on the
// sums, so compressed builds hash the tree first (md5Files).

// placeholderSum stands for an MD5 sum not yet known.
var placeholderSum = strings.Repeat("0", 32)

// ctrlOffset is where control.tar's data starts, from the start of the
// archive: the ar magic, debian-binary's header and data, and
// control.tar's header.
const ctrlOffset = int64(len(arMagic) + arHeaderSize + len(debianBinary) + arHeaderSize)

// fillSums, when the build is one pass, writes control.tar again over
// ctrlTar (written with placeholders) with the sums b.sums gathered while
// data.tar was written, and leaves b.out at its end.
func (b *builder) fillSums(ctrlTar []byte) error {
	if b.sums == nil {
		return nil
	}
	sums := make([]string, len(b.sumNames))
	for i, name := range b.sumNames {
		s, ok := b.sums[name]
		if !ok {
			return fmt.Errorf("md5sums: %s was not hashed", name)
		}
		sums[i] = s
	}
	data := formatMd5sums(b.sumNames, sums)
	if len(data) != len(b.sumEntry.data) {
		return fmt.Errorf("md5sums: %d bytes, %d reserved", len(data), len(b.sumEntry.data))
	}
	b.sumEntry.data = data
	var buf bytes.Buffer
	if err := b.compressTar(&buf, "DEBIAN", b.ctrl, nil); err != nil {
		return fmt.Errorf("control.tar: %w", err)
	}
	if buf.Len() != len(ctrlTar) {
		return fmt.Errorf("control.tar: %d bytes, %d written before", buf.Len(), len(ctrlTar))
	}
	if _, err := b.out.Seek(b.start+ctrlOffset, io.SeekStart); err != nil {
		return err
	}
	if _, err := b.out.Write(buf.Bytes()); err != nil {
		return err
	}
	_, err := b.out.Seek(0, io.SeekEnd)
	return err
}
