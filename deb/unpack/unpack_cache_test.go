package unpack

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An entry that replaces a symlink other entries were resolved through
// must send the later entries where the new link leads, never through
// the old resolution, and never outside the root.
func TestExtractReresolvesReplacedParents(t *testing.T) {
	tests := []struct {
		name    string
		entries []th
		want    map[string]string // path below root -> contents
		gone    []string          // paths below root that must not exist
	}{
		{
			name: "symlink replaced by symlink",
			entries: []th{
				{name: "./d1/", typ: tar.TypeDir, mode: 0755},
				{name: "./d2/", typ: tar.TypeDir, mode: 0755},
				{name: "./l", typ: tar.TypeSymlink, link: "d1"},
				{name: "./l/f", typ: tar.TypeReg, body: "first"},
				{name: "./l", typ: tar.TypeSymlink, link: "d2"},
				{name: "./l/g", typ: tar.TypeReg, body: "second"},
			},
			want: map[string]string{"d1/f": "first", "d2/g": "second"},
			gone: []string{"d1/g"},
		},
		{
			name: "symlink replaced by an absolute one",
			entries: []th{
				{name: "./d1/", typ: tar.TypeDir, mode: 0755},
				{name: "./d2/sub/", typ: tar.TypeDir, mode: 0755},
				{name: "./l", typ: tar.TypeSymlink, link: "d1"},
				{name: "./l/f", typ: tar.TypeReg, body: "first"},
				{name: "./l", typ: tar.TypeSymlink, link: "/d2/sub"},
				{name: "./l/g", typ: tar.TypeReg, body: "inside the root"},
			},
			want: map[string]string{"d1/f": "first", "d2/sub/g": "inside the root"},
			gone: []string{"d1/g"},
		},
		{
			name: "empty directory replaced by symlink",
			entries: []th{
				{name: "./d2/", typ: tar.TypeDir, mode: 0755},
				{name: "./a/b/", typ: tar.TypeDir, mode: 0755},
				{name: "./a/b", typ: tar.TypeSymlink, link: "../d2"},
				{name: "./a/b/f", typ: tar.TypeReg, body: "through the link"},
			},
			want: map[string]string{"d2/f": "through the link"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, root := sandbox(t)
			if _, err := Extract(tarStream(t, tt.entries...), root, Options{}); err != nil {
				t.Fatal(err)
			}
			checkOutside(t, base)
			for p, body := range tt.want {
				if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != body {
					t.Errorf("%s: %q %v, want %q", p, b, err, body)
				}
			}
			for _, p := range tt.gone {
				if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
					t.Errorf("%s exists: written through a stale resolution", p)
				}
			}
		})
	}
}

// SkipHash writes the same files and leaves every hash empty.
func TestExtractSkipHash(t *testing.T) {
	entries := []th{
		{name: "./usr/bin/tool", typ: tar.TypeReg, mode: 0755, body: "#!/bin/sh\n"},
		{name: "./usr/bin/alias", typ: tar.TypeLink, link: "./usr/bin/tool"},
		{name: "./big", typ: tar.TypeReg, body: strings.Repeat("0123456789abcdef", copyBufferSize/8+3)},
	}
	for _, skip := range []bool{false, true} {
		_, root := sandbox(t)
		got, err := Extract(tarStream(t, entries...), root, Options{SkipHash: skip})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range got {
			body := entries[min(i, 2)].body
			if i == 1 {
				body = entries[0].body
			}
			want := sum(body)
			if skip {
				want = ""
			}
			if e.SHA256 != want || e.Size != int64(len(body)) {
				t.Errorf("skip %v: %s: size %d sha256 %q, want %d %q", skip, e.Path, e.Size, e.SHA256, len(body), want)
			}
			if b, err := os.ReadFile(filepath.Join(root, e.Path)); err != nil || string(b) != body {
				t.Errorf("skip %v: %s: contents differ (%v)", skip, e.Path, err)
			}
		}
	}
}
