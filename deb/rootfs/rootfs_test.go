package rootfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree makes a root with the given entries: a name ending in "/" is a
// directory, "name -> target" a symlink, anything else an empty file.
func tree(t *testing.T, entries ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, e := range entries {
		name, target, link := strings.Cut(e, " -> ")
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case link:
			err = os.Symlink(target, p)
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.WriteFile(p, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestJoin(t *testing.T) {
	root := tree(t,
		"usr/lib/",
		"lib -> usr/lib",
		"abs -> /usr/lib",
		"up -> ../../../..",
		"upabs -> /../../etc",
		"deep/a -> ../lib",
		"loop1 -> loop2",
		"loop2 -> loop1",
		"file",
	)
	tests := []struct{ rel, want string }{
		{"", "/"},
		{"/", "/"},
		{".", "/"},
		{"usr/lib/x", "/usr/lib/x"},
		{"/usr/lib/x", "/usr/lib/x"},
		{"usr//lib/./x", "/usr/lib/x"},
		{"lib/x", "/usr/lib/x"},
		{"abs/x", "/usr/lib/x"},
		{"deep/a/x", "/usr/lib/x"},
		{"missing/x/y", "/missing/x/y"},
		{"file/x", "/file/x"},
		// Escapes end at the root.
		{"..", "/"},
		{"../../etc/passwd", "/etc/passwd"},
		{"usr/../../../etc", "/etc"},
		{"up", "/"},
		{"up/etc/passwd", "/etc/passwd"},
		{"upabs/passwd", "/etc/passwd"},
	}
	for _, tt := range tests {
		got, err := Root(root).Join(tt.rel)
		if err != nil {
			t.Errorf("Join(%q): %v", tt.rel, err)
			continue
		}
		if want := filepath.Join(root, filepath.FromSlash(tt.want)); got != want {
			t.Errorf("Join(%q) = %s, want %s", tt.rel, got, want)
		}
	}
	if _, err := Root(root).Join("loop1/x"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("Join through a symlink loop: %v, want ELOOP", err)
	}
}

// TestJoinRefusesEscapes checks that neither ".." nor a symlink, relative
// or absolute, resolves outside the root, with the root's parent holding
// a file the escape would reach.
func TestJoinRefusesEscapes(t *testing.T) {
	outer := tree(t, "secret", "root/")
	root := filepath.Join(outer, "root")
	for _, l := range []string{"rel -> ../secret", "relup -> ../../../../secret", "abs -> " + filepath.Join(outer, "secret"), "dir -> .."} {
		name, target, _ := strings.Cut(l, " -> ")
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{"../secret", "/../secret", "a/../../secret", "rel", "relup", "abs", "dir/secret", "dir/../secret", "dir/dir/secret"} {
		got, err := Root(root).Join(rel)
		if err != nil {
			t.Errorf("Join(%q): %v", rel, err)
			continue
		}
		if got != root && !strings.HasPrefix(got, root+string(filepath.Separator)) {
			t.Errorf("Join(%q) = %s: outside the root %s", rel, got, root)
		}
	}
}

func TestJoinNoFollow(t *testing.T) {
	root := tree(t, "usr/lib/", "lib -> usr/lib", "usr/lib/l -> /etc")
	tests := []struct{ rel, want string }{
		{"lib", "/lib"},
		{"lib/l", "/usr/lib/l"},
		{"/lib/l", "/usr/lib/l"},
		{"lib/..", "/usr"},
		{"/", "/"},
		{"", "/"},
		{"../x", "/x"},
	}
	for _, tt := range tests {
		got, err := Root(root).JoinNoFollow(tt.rel)
		if err != nil {
			t.Errorf("JoinNoFollow(%q): %v", tt.rel, err)
			continue
		}
		if want := filepath.Join(root, filepath.FromSlash(tt.want)); got != want {
			t.Errorf("JoinNoFollow(%q) = %s, want %s", tt.rel, got, want)
		}
	}
}

func TestLayout(t *testing.T) {
	r := Root("/img")
	tests := []struct{ got, want string }{
		{r.ConfigFile(), "/img/etc/aim/aim.conf"},
		{r.SourcesList(), "/img/etc/aim/sources.list"},
		{r.SourcesListDir(), "/img/etc/aim/sources.list.d"},
		{r.TrustedKeysDir(), "/img/etc/aim/trusted.gpg.d"},
		{r.KeyringsDir(), "/img/etc/aim/keyrings"},
		{r.PackageTrustDir(), "/img/etc/aim/trusted.d"},
		{r.PackageTrustRoleDir("store"), "/img/etc/aim/trusted.d/store"},
		{r.DBFile(), "/img/var/lib/aim/aim.db"},
		{r.InfoFile("foo", "checkrm"), "/img/var/lib/aim/info/foo.checkrm"},
		{r.ArchivesDir(), "/img/var/cache/aim/archives"},
		{r.ListsDir(), "/img/var/cache/aim/lists"},
		{r.PkgCacheFile(), "/img/var/cache/aim/pkgcache.bin"},
		{r.LogDir(), "/img/var/log/aim"},
		{Root("").DBFile(), "/var/lib/aim/aim.db"},
		{Root("rel").Path(StateDir, "x"), "rel/var/lib/aim/x"},
	}
	for _, tt := range tests {
		if tt.got != filepath.FromSlash(tt.want) {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, data := range []string{"one", "two, longer"} {
		if err := WriteFile(p, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	onlyFile(t, dir, "f")
}

func TestWriteFileFuncFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileFunc(p, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Errorf("file holds %q after a failed write, want old", got)
	}
	onlyFile(t, dir, "f")
	if err := WriteFile(filepath.Join(dir, "missing", "f"), nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write into a missing directory: %v", err)
	}
}

func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for i, want := range []error{nil, fs.ErrExist} {
		f, err := CreateAtomic(dir)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, "data")
		if err := f.CommitNew(p, 0o600); !errors.Is(err, want) {
			t.Errorf("CommitNew #%d: %v, want %v", i, err, want)
		}
	}
	onlyFile(t, dir, "f")
	f, _ := CreateAtomic(dir)
	f.Abort()
	if err := f.Commit(p, 0o600); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	onlyFile(t, dir, "f")
}

// onlyFile checks that dir holds name and no temporary file.
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != name {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only %s", names, name)
	}
}

func TestCheckMember(t *testing.T) {
	tests := []struct {
		name    string
		dir     bool
		refused bool
	}{
		{"var/lib/aim/aim.db", false, true},
		{"var/lib/aim/info/foo.prerm", false, true},
		{"var/lib/aim/", true, true},
		{"./var/lib/dpkg/status", false, true},
		{"var/lib/dpkg/info/x.list", false, true},
		{"etc/aim/sources.list.d/x.list", false, true},
		{"var/cache/aim/archives", false, true},
		{"var/log/aim", true, true},
		{"etc", false, true},       // a symlink etc -> /elsewhere
		{"var/cache", false, true}, // the same one level down
		{"etc", true, false},
		{"var/lib", true, false},
		{"etc/aimx", false, false},
		{"var/lib/aimless/x", false, false},
		{"usr/bin/aim", false, false},
		{"var/lib/dpkg-extra/x", false, false},
	}
	for _, tt := range tests {
		err := CheckMember(tt.name, tt.dir)
		var re *ReservedPathError
		if got := errors.As(err, &re); got != tt.refused {
			t.Errorf("CheckMember(%q, %v) = %v, want refused %v", tt.name, tt.dir, err, tt.refused)
		}
	}
}

func TestPathStaysInsideRoot(t *testing.T) {
	root := t.TempDir()
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(root, "etc")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "var/cache"), 0o755)
	if err := os.Symlink("/var/cache/loop", filepath.Join(root, "var/cache/aim")); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/var/cache/aim", filepath.Join(root, "var/cache/loop"))
	r := Root(root)
	want := filepath.Join(root, elsewhere, "aim/sources.list")
	if got := r.SourcesList(); got != want {
		t.Errorf("SourcesList() = %s, want %s (inside the root)", got, want)
	}
	if err := os.WriteFile(r.ArchivesDir()+"/x.deb", nil, 0o644); err == nil {
		t.Errorf("wrote through a symlink loop at %s", r.ArchivesDir())
	}
	if _, err := r.Resolve(ArchivesDir); err == nil {
		t.Error("Resolve through a symlink loop: no error")
	}
}

func TestCommitScratch(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "f")
	os.WriteFile(dst, []byte("old"), 0o644)
	f, err := CreateAtomic(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.CommitScratch(dst, 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(dst)
	fi, _ := os.Stat(dst)
	entries, _ := os.ReadDir(dir)
	if string(data) != "new" || fi.Mode().Perm() != 0o600 || len(entries) != 1 {
		t.Errorf("after CommitScratch: %q, mode %v, %d entries", data, fi.Mode(), len(entries))
	}
	if err := f.CommitScratch(dst, 0o600); err == nil {
		t.Error("a second commit succeeded")
	}
}
