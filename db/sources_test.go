package db

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testSource(name string) *Source {
	return &Source{Name: name, URI: "http://example.org/debian", Suite: "bookworm",
		Components: []string{"main", "contrib"}, Architectures: []string{"amd64"},
		SignedBy: "debian.gpg", Enabled: true, Priority: 500}
}

func testIndex(path string, size int64) IndexFile {
	return IndexFile{Path: path, URL: "http://example.org/debian/dists/bookworm/" + path + ".xz",
		CachePath: "var/cache/aim/lists/" + path, Size: size, SHA256: strings.Repeat("ab", 32),
		ETag: `"1234"`, LastModified: "Sat, 10 Jun 2023 09:00:00 GMT", FetchedAt: time.Unix(1700000000, 0)}
}

func TestSourcesRoundTrip(t *testing.T) {
	d, _ := openTest(t)
	flat := &Source{Name: "flat", URI: "file:///srv/repo", Suite: "./", Trusted: true, Priority: 990}
	for _, src := range []*Source{testSource("debian"), flat} {
		if err := d.PutSource(src); err != nil {
			t.Fatal(err)
		}
		got, err := d.Source(src.Name)
		if err != nil || !reflect.DeepEqual(got, src) {
			t.Errorf("Source(%s) = %+v, %v; want %+v", src.Name, got, err, src)
		}
	}
	all, err := d.Sources()
	if err != nil || len(all) != 2 || all[0].Name != "debian" || all[1].Name != "flat" {
		t.Errorf("Sources() = %+v, %v", all, err)
	}
	flat.Enabled = true
	if err := d.PutSource(flat); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Source("flat"); !got.Enabled {
		t.Error("PutSource did not update an existing source")
	}
}

func TestPutSourceRejects(t *testing.T) {
	d, _ := openTest(t)
	tests := []struct {
		name   string
		change func(*Source)
	}{
		{"no name", func(s *Source) { s.Name = " " }},
		{"no URI", func(s *Source) { s.URI = "" }},
		{"no suite", func(s *Source) { s.Suite = "" }},
		{"blank component", func(s *Source) { s.Components = []string{"main contrib"} }},
		{"empty architecture", func(s *Source) { s.Architectures = []string{""} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := testSource("debian")
			tt.change(src)
			if err := d.PutSource(src); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestSourceIndexes(t *testing.T) {
	d, _ := openTest(t)
	d.PutSource(testSource("debian"))
	st, err := d.SourceState("debian")
	if err != nil || !st.LastUpdate.IsZero() || len(st.Indexes) != 0 {
		t.Fatalf("state of a new source = %+v, %v", st, err)
	}
	first := []IndexFile{testIndex("main/binary-amd64/Packages", 100), testIndex("InRelease", 5)}
	t1 := time.Unix(1700000100, 0)
	if err := d.ReplaceSourceIndexes("debian", first, t1); err != nil {
		t.Fatal(err)
	}
	t2 := time.Unix(1700000200, 0)
	if err := d.SetSourceError("debian", errors.New("InRelease: bad signature"), t2); err != nil {
		t.Fatal(err)
	}
	st, _ = d.SourceState("debian")
	want := &SourceState{LastUpdate: t1, LastError: "InRelease: bad signature", LastErrorAt: t2,
		Indexes: []IndexFile{first[1], first[0]}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("after a failed update, state =\n%+v\nwant the old indexes kept:\n%+v", st, want)
	}
	if f, ok := st.Index("main/binary-amd64/Packages"); !ok || f.Size != 100 {
		t.Errorf("Index(Packages) = %+v, %v", f, ok)
	}
	if _, ok := st.Index("main/binary-i386/Packages"); ok {
		t.Error("Index found a path that is not there")
	}

	second := []IndexFile{testIndex("InRelease", 6)}
	second[0].FetchedAt = time.Time{}
	t3 := time.Unix(1700000300, 0)
	if err := d.ReplaceSourceIndexes("debian", second, t3); err != nil {
		t.Fatal(err)
	}
	st, _ = d.SourceState("debian")
	second[0].FetchedAt = t3
	want = &SourceState{LastUpdate: t3, Indexes: second}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("after a good update, state =\n%+v\nwant\n%+v", st, want)
	}
}

func TestReplaceSourceIndexesIsAtomic(t *testing.T) {
	d, _ := openTest(t)
	d.PutSource(testSource("debian"))
	good := []IndexFile{testIndex("InRelease", 5)}
	d.ReplaceSourceIndexes("debian", good, time.Unix(1, 0))
	bad := []IndexFile{testIndex("a", 1), testIndex("a", 2)}
	if err := d.ReplaceSourceIndexes("debian", bad, time.Unix(2, 0)); err == nil {
		t.Error("duplicate paths accepted")
	}
	// A failure after ReplaceSourceIndexes inside the same transaction
	// undoes it too.
	boom := errors.New("cache write failed")
	err := d.Update(func(tx *Tx) error {
		if err := tx.ReplaceSourceIndexes("debian", []IndexFile{testIndex("new", 1)}, time.Unix(3, 0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	st, _ := d.SourceState("debian")
	if len(st.Indexes) != 1 || st.Indexes[0].Path != "InRelease" || st.LastUpdate.Unix() != 1 {
		t.Errorf("state after failed replacements = %+v, want the first one", st)
	}
}

func TestReplaceSourceIndexesRejects(t *testing.T) {
	d, _ := openTest(t)
	d.PutSource(testSource("debian"))
	tests := []struct {
		name   string
		change func(*IndexFile)
	}{
		{"empty path", func(f *IndexFile) { f.Path = "" }},
		{"negative size", func(f *IndexFile) { f.Size = -1 }},
		{"short hash", func(f *IndexFile) { f.SHA256 = "abc" }},
		{"upper-case hash", func(f *IndexFile) { f.SHA256 = strings.Repeat("AB", 32) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testIndex("InRelease", 1)
			tt.change(&f)
			if err := d.ReplaceSourceIndexes("debian", []IndexFile{f}, time.Now()); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestSourceNotFound(t *testing.T) {
	d, _ := openTest(t)
	ops := map[string]error{
		"DeleteSource":         d.DeleteSource("absent"),
		"SetSourceError":       d.SetSourceError("absent", errors.New("x"), time.Now()),
		"ReplaceSourceIndexes": d.ReplaceSourceIndexes("absent", nil, time.Now()),
	}
	_, ops["Source"] = d.Source("absent")
	_, ops["SourceState"] = d.SourceState("absent")
	for name, err := range ops {
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "absent") {
			t.Errorf("%s(absent) = %v, want ErrNotFound naming the source", name, err)
		}
	}
}

func TestDeleteSourceDropsIndexes(t *testing.T) {
	d, _ := openTest(t)
	d.PutSource(testSource("debian"))
	d.ReplaceSourceIndexes("debian", []IndexFile{testIndex("InRelease", 5)}, time.Now())
	if err := d.DeleteSource("debian"); err != nil {
		t.Fatal(err)
	}
	var n int
	d.sql.QueryRow(`SELECT count(*) FROM index_files`).Scan(&n)
	if n != 0 {
		t.Errorf("%d index files left after the source was deleted", n)
	}
	if err := d.SetSourceError("debian", nil, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted source still there: %v", err)
	}
}
