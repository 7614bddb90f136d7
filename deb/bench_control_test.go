package deb

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkParseIndex parses the whole real Debian Packages index (about
// 63,000 paragraphs, 50 MB) from memory, as `aim update` does.
func BenchmarkParseIndex(b *testing.B) {
	data, err := os.ReadFile(debianIndex(b))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewParagraphReader(bytes.NewReader(data))
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n), "paragraphs")
	}
}

// BenchmarkParseIndexFile includes reading the file from disk.
func BenchmarkParseIndexFile(b *testing.B) {
	path := debianIndex(b)
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Skip(err)
		}
		r := NewParagraphReader(f)
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
}
