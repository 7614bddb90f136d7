package deb

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testPNG is a real 26x26 PNG.
var testPNG = func() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 26, 26))); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

func TestIconRoundTrip(t *testing.T) {
	v := EncodeIcon(testPNG)
	p := &Paragraph{Fields: []Field{{Name: "Package", Value: "x"}, {Name: IconField, Value: v}}}
	back, err := ParseParagraph([]byte(p.String()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Icon(back)
	if err != nil || !bytes.Equal(got, testPNG) {
		t.Fatalf("Icon() = %d bytes, %v", len(got), err)
	}
	for _, line := range strings.Split(p.String(), "\n") {
		if len(line) > 80 {
			t.Errorf("line of %d characters", len(line))
		}
	}
}

func TestDecodeIconErrors(t *testing.T) {
	tests := []struct {
		value, want string
	}{
		{"", "empty value"},
		{"\n \n ", "empty value"},
		{"\n not*base64", "invalid base64"},
		{"\n aGVsbG8gd29ybGQ=", "not a PNG"},
		{EncodeIcon(append(append([]byte{}, pngSignature...), "garbage"...)), "corrupt PNG header"},
		{strings.Repeat("AAAA", MaxIconSize/3+10), "larger than"},
	}
	for _, tt := range tests {
		if _, err := DecodeIcon(tt.value); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeIcon(%.20q) = %v, want an error containing %q", tt.value, err, tt.want)
		}
	}
	// Padding is optional, as some packaging tools drop it.
	v := strings.TrimRight(EncodeIcon(testPNG), "=")
	if _, err := DecodeIcon(v); err != nil {
		t.Errorf("unpadded icon: %v", err)
	}
	if _, err := Icon(&Paragraph{}); !errors.Is(err, ErrNoIcon) {
		t.Errorf("Icon() without field = %v", err)
	}
}

func TestDemoPackageIcon(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "demo", "hello", "DEBIAN", "control"))
	if err != nil {
		t.Skip(err)
	}
	p, err := ParseParagraph(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Icon(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 26 || cfg.Height != 26 {
		t.Errorf("demo icon: %v %dx%d", err, cfg.Width, cfg.Height)
	}
}
