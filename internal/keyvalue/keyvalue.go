// Package keyvalue reads the "key = value" files aim keeps settings in
// (aim.conf, aim-repo.conf, a mirror's mirror.conf): one setting a line,
// blank lines and lines starting with "#" ignored.
package keyvalue

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// LineError is an error of one line, numbered from 1.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Parse calls set for every setting of data in order, with the key
// trimmed and in lower case (keys are case-insensitive) and the value
// trimmed. A line without "=" or with an empty key, and an error set
// returns, end the parse with a *LineError naming the line.
func Parse(data []byte, set func(key, value string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return &LineError{Line: n, Err: fmt.Errorf("want \"key = value\", got %q", line)}
		}
		if err := set(k, strings.TrimSpace(v)); err != nil {
			return &LineError{Line: n, Err: err}
		}
	}
	return sc.Err()
}
