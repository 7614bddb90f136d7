package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"aim/deb"
)

func setupDebInfo(*pflag.FlagSet) func(*env, []string) error { return runDebInfo }

// debMemberInfo describes one control member, as a line of dpkg-deb -I.
type debMemberInfo struct {
	Name        string `json:"name"`
	Plain       bool   `json:"plain"`
	Size        int64  `json:"size"`
	Lines       int    `json:"lines"`
	Executable  bool   `json:"executable"`
	Interpreter string `json:"interpreter,omitempty"`
}

// debInfo is what "aim deb info FILE" shows.
type debInfo struct {
	Format      string          `json:"format"`
	Size        int64           `json:"size"`
	ControlSize int64           `json:"controlSize"`
	Members     []debMemberInfo `json:"members"`
	Control     orderedFields   `json:"control"`
	raw         []byte
}

func runDebInfo(e *env, args []string) error {
	if len(args) < 1 {
		return usageError("usage: aim deb info FILE [FIELD...]")
	}
	f, ar, err := openDeb(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	ctl := ar.Control()
	if len(args) > 1 {
		return printDebFields(e, ctl.Control, args[1:])
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	info := newDebInfo(ar, fi.Size())
	if e.g.json {
		return writeJSON(e.stdout, info)
	}
	printDebInfo(e.stdout, info)
	return nil
}

func newDebInfo(ar *deb.ArchiveReader, size int64) *debInfo {
	ctl := ar.Control()
	info := &debInfo{Format: ar.Version(), Size: size, ControlSize: ar.ControlSize(),
		Control: orderedFields(ctl.Control.Fields), Members: []debMemberInfo{}}
	for _, m := range ctl.Members {
		if strings.Contains(m.Name, "/") {
			continue
		}
		mi := debMemberInfo{Name: m.Name, Plain: m.IsRegular()}
		if mi.Plain {
			mi.Size, mi.Executable = int64(len(m.Data)), m.Mode&0100 != 0
			mi.Lines, mi.Interpreter = scriptStats(m.Data)
		}
		if m.Name == "control" {
			info.raw = m.Data
		}
		info.Members = append(info.Members, mi)
	}
	return info
}

// printDebInfo prints info in the layout of dpkg-deb -I.
func printDebInfo(w io.Writer, info *debInfo) {
	fmt.Fprintf(w, " new Debian package, version %s.\n", deb.DisplayString(info.Format))
	fmt.Fprintf(w, " size %d bytes: control archive=%d bytes.\n", info.Size, info.ControlSize)
	for _, m := range info.Members {
		name := deb.DisplayString(m.Name)
		if !m.Plain {
			fmt.Fprintf(w, "     not a plain file          %s\n", name)
			continue
		}
		mark := ' '
		if m.Executable {
			mark = '*'
		}
		fmt.Fprintf(w, " %7d bytes, %5d lines   %c  %-20s %s\n", m.Size, m.Lines, mark, name, deb.DisplayString(m.Interpreter))
	}
	text := deb.DisplayString(string(info.raw))
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			fmt.Fprintf(w, " %s", line)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		fmt.Fprintln(w)
	}
}

// scriptStats counts lines and reads the "#!" interpreter of a control
// member exactly as dpkg-deb -I does, quirks included (the first bytes
// read while looking for "#!" are not counted as lines).
func scriptStats(data []byte) (lines int, interp string) {
	i := 0
	if len(data) > 0 && data[0] == '#' && len(data) > 1 && data[1] == '!' {
		i = 2
		for i < len(data) && data[i] == ' ' {
			i++
		}
		start := i
		for i < len(data) && i-start < 253 && !isCSpace(data[i]) {
			i++
		}
		interp = "#!" + string(data[start:i])
		if i < len(data) {
			if data[i] == '\n' {
				lines++
			}
			i++
		}
	} else {
		i = min(len(data), 2)
		if len(data) > 0 && data[0] != '#' {
			i = 1
		}
	}
	for _, c := range data[i:] {
		if c == '\n' {
			lines++
		}
	}
	return lines, interp
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// printDebFields prints fields like dpkg-deb -f: one field as its bare
// value, several as "Name: value" lines for those present.
func printDebFields(e *env, p *deb.Paragraph, names []string) error {
	var found []deb.Field
	for _, n := range names {
		for _, f := range p.Fields {
			if strings.EqualFold(f.Name, n) {
				found = append(found, f)
			}
		}
	}
	if e.g.json {
		return writeJSON(e.stdout, orderedFields(found))
	}
	if len(names) == 1 {
		fmt.Fprintln(e.stdout, deb.DisplayString(p.Get(names[0])))
		return nil
	}
	for _, f := range found {
		// "Name: value", with the blank kept before an empty first line.
		fmt.Fprintf(e.stdout, "%s: %s\n", deb.DisplayString(f.Name), deb.DisplayString(f.Value))
	}
	return nil
}
