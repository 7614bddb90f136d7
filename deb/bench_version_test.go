package deb

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// indexVersionValues returns the distinct versions of the real index,
// parsed and shuffled, or skips.
func indexVersionValues(b *testing.B) ([]string, []Version) {
	seen := map[string]bool{}
	var texts []string
	for _, p := range realIndexParagraphs(b) {
		if v := p.Get("Version"); !seen[v] {
			seen[v] = true
			texts = append(texts, v)
		}
	}
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	vs := make([]Version, len(texts))
	for i, s := range texts {
		v, err := ParseVersionLax(s)
		if err != nil {
			b.Fatal(err)
		}
		vs[i] = v
	}
	return texts, vs
}

// BenchmarkCompareVersions compares neighbouring versions of the real index,
// in random order, and reports comparisons per second.
func BenchmarkCompareVersions(b *testing.B) {
	_, vs := indexVersionValues(b)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for i := 1; i < len(vs); i++ {
			CompareVersions(vs[i-1], vs[i])
		}
		n += len(vs) - 1
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "cmp/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/cmp")
}

// BenchmarkSortVersions sorts the real index's versions.
func BenchmarkSortVersions(b *testing.B) {
	_, vs := indexVersionValues(b)
	work := make([]Version, len(vs))
	b.ResetTimer()
	for b.Loop() {
		copy(work, vs)
		slices.SortFunc(work, CompareVersions)
	}
	b.ReportMetric(float64(len(vs)), "versions")
}

// BenchmarkParseVersion parses every distinct version of the real index
// and reports versions per second.
func BenchmarkParseVersion(b *testing.B) {
	texts, _ := indexVersionValues(b)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for _, s := range texts {
			if _, err := ParseVersion(s); err != nil {
				b.Fatal(err)
			}
		}
		n += len(texts)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "versions/s")
}
