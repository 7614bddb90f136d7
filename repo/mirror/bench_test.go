package mirror_test

import (
	"fmt"
	"testing"
	"time"

	"aim/repo/mirror"
	"aim/repo/publish"
)

// BenchmarkUpdate measures a first mirror update of a signed upstream of
// 2,000 small packages served over HTTP on localhost, the aim half of
// bench/objstore.sh's mirror row.
func BenchmarkUpdate(b *testing.B) {
	up := newRepo(b, "upstream", "amd64")
	src := b.TempDir()
	var files []string
	for i := range 2000 {
		files = append(files, buildDeb(b, src, fmt.Sprintf("bench-pkg%d", i), "1.0", "all", ""))
	}
	if _, err := up.Add(files, publish.AddOptions{}); err != nil {
		b.Fatal(err)
	}
	publishAt(b, up, testNow.Add(-time.Hour))
	url := serve(b, up.Dir)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		r := newRepo(b, "fleet", "amd64")
		if err := mirror.Create(r, mirror.Config{Name: "up", URL: url, Suite: "stable", Components: []string{"main"}}, armoredKey(b)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := mirror.Update(b.Context(), r, "up", mirror.UpdateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Downloaded != len(files) {
			b.Fatalf("downloaded %d, want %d", res.Downloaded, len(files))
		}
	}
}
