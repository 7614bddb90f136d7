package deb

import (
	"bytes"
	"fmt"
	"io"
	"time"
)

// debianBinary is the contents of the debian-binary member.
const debianBinary = "2.0\n"

// writeArchive writes the ar container: debian-binary, control.tar and
// data.tar, all stamped with arTime.
func (b *builder) writeArchive(w io.Writer, ctrlTar []byte) error {
	t := b.arTime()
	aw, err := newArWriter(w)
	if err != nil {
		return err
	}
	if err := aw.writeMember("debian-binary", []byte(debianBinary), t); err != nil {
		return err
	}
	ext := b.opts.Compression.Extension()
	if err := aw.writeMember("control.tar"+ext, ctrlTar, t); err != nil {
		return err
	}
	name := "data.tar" + ext
	if b.out != nil {
		pos, err := b.out.Seek(0, io.SeekCurrent)
		if err != nil {
			return err
		}
		if err := b.streamData(b.out, pos, name, t); err != nil {
			return err
		}
		return b.fillSums(ctrlTar)
	}
	var buf bytes.Buffer
	if err := b.compressTar(&buf, ".", b.data, nil); err != nil {
		return fmt.Errorf("data.tar: %w", err)
	}
	return aw.writeMember(name, buf.Bytes(), t)
}

// streamData writes data.tar straight to ws, which stands at pos, then
// seeks back to fill in its size.
func (b *builder) streamData(ws io.WriteSeeker, pos int64, name string, t time.Time) error {
	hdr, err := formatArHeader(name, 0, t)
	if err != nil {
		return err
	}
	if _, err := ws.Write(hdr); err != nil {
		return err
	}
	cw := &countWriter{w: ws}
	if err := b.compressTar(cw, ".", b.data, b.sums); err != nil {
		return fmt.Errorf("data.tar: %w", err)
	}
	if hdr, err = formatArHeader(name, cw.n, t); err != nil {
		return err
	}
	if _, err := ws.Seek(pos, io.SeekStart); err != nil {
		return err
	}
	if _, err := ws.Write(hdr); err != nil {
		return err
	}
	if _, err := ws.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	if cw.n%2 == 1 {
		_, err = ws.Write([]byte{'\n'})
	}
	return err
}
