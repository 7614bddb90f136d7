package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"aim/deb"
)

// openDeb opens a package file and reads it up to the end of control.tar.
// The caller closes the returned file.
func openDeb(name string) (*os.File, *deb.ArchiveReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	ar, err := deb.NewArchiveReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, ar, nil
}

// openDebData opens the package file name and positions it on its
// data.tar; done closes everything.
func openDebData(name string) (dr *deb.DataReader, done func(), err error) {
	f, ar, err := openDeb(name)
	if err != nil {
		return nil, nil, err
	}
	done = func() { ar.Close(); f.Close() }
	if dr, err = ar.Data(); err != nil {
		done()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return dr, done, nil
}

// usageError is a wrong number of arguments: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// orderedFields is a control paragraph that marshals to a JSON object
// keeping the fields' order; values are shown with deb.DisplayString.
type orderedFields []deb.Field

// MarshalJSON writes {"Name": "value", ...} in field order.
func (o orderedFields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(deb.DisplayString(f.Name))
		v, _ := json.Marshal(deb.DisplayString(f.Value))
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
