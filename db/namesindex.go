package db

import (
	"fmt"
	"os"
	"strings"

	"aim/deb/rootfs"
)

// InstalledNamesPath is the index of the names of the packages root's
// database holds as installed, so that read-only commands that show a
// few named packages need not open SQLite when aim installed none of
// them (InstalledNames).
const InstalledNamesPath = rootfs.InstalledNamesFile

// namesHeader is the first line of the installed-names index; the stamp
// of the database files follows (see fileStamp), then a blank line, the
// names one a line in order, and namesEnd.
const (
	namesHeader = "aim installed-names 1\n"
	namesEnd    = ".\n"
)

// InstalledNames returns the names of every package aim installed below
// root, whatever their architectures, read without opening the
// database, and true. It answers only while the index written by the
// last holder of the writer lock (see Close) is there, whole, and still
// describes the database and WAL files in size, modification time and
// inode, as NothingInstalled's mark does: every holder of the writer lock
// removes the index durably before it can write, and a writer that
// bypasses the lock changes the files. Otherwise it returns false, which
// says nothing: open the database.
func InstalledNames(root string) (map[string]bool, bool) {
	r := rootfs.Root(root)
	data, err := os.ReadFile(r.Path(InstalledNamesPath))
	if err != nil {
		return nil, false
	}
	head, body, ok := strings.Cut(string(data), "\n\n")
	if !ok || !strings.HasSuffix(body, namesEnd) {
		return nil, false
	}
	stamp, err := fileStamp(namesHeader, r.Path(DBPath))
	if err != nil || head+"\n" != stamp {
		return nil, false
	}
	names := map[string]bool{}
	for _, n := range strings.Split(strings.TrimSuffix(body, namesEnd), "\n") {
		if n != "" {
			names[n] = true
		}
	}
	return names, true
}

// installedNames returns the names of the packages d holds as
// installed, in order and each once.
func (d *DB) installedNames() ([]string, error) {
	rows, err := d.sql.Query(`SELECT DISTINCT name FROM installed ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("installed names in %s: %w", d.path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("installed names in %s: %w", d.path, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("installed names in %s: %w", d.path, err)
	}
	return out, nil
}

// writeNamesIndex writes root's installed-names index of names for the
// closed database files, durably. It is called with the writer lock held.
// On failure no index, or a whole one that still matches the files, is
// left: both are safe.
func writeNamesIndex(root, dbPath string, names []string) error {
	stamp, err := fileStamp(namesHeader, dbPath)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(stamp)
	b.WriteString("\n")
	for _, n := range names {
		b.WriteString(n)
		b.WriteString("\n")
	}
	b.WriteString(namesEnd)
	return writeMark(rootfs.Root(root).Path(InstalledNamesPath), b.String())
}
