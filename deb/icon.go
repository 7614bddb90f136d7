package deb

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
)

// IconField is the control field that carries a package's 26x26 icon as
// base64-encoded PNG over continuation lines, as maemo packages do.
const IconField = "Maemo-Icon-26"

// MaxIconSize bounds the decoded size of an icon.
const MaxIconSize = 1 << 20

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ErrNoIcon is returned by Icon for a paragraph without an icon field.
var ErrNoIcon = errors.New("no " + IconField + " field")

// Icon returns the PNG bytes of the icon in p's Maemo-Icon-26 field, or
// ErrNoIcon when the field is absent or empty.
func Icon(p *Paragraph) ([]byte, error) {
	v, ok := p.Lookup(IconField)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, ErrNoIcon
	}
	return DecodeIcon(v)
}

// DecodeIcon decodes an icon field value: base64 text, possibly spread
// over continuation lines and with or without padding, that must decode to
// at most MaxIconSize bytes starting with the PNG signature and a valid
// image header.
func DecodeIcon(value string) ([]byte, error) {
	text := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, value)
	if text == "" {
		return nil, fmt.Errorf("%s: empty value", IconField)
	}
	if base64.StdEncoding.DecodedLen(len(text)) > MaxIconSize+3 {
		return nil, fmt.Errorf("%s: icon larger than %d bytes", IconField, MaxIconSize)
	}
	data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "="))
	if err != nil {
		return nil, fmt.Errorf("%s: invalid base64: %w", IconField, err)
	}
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, fmt.Errorf("%s: not a PNG image (bad signature)", IconField)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%s: corrupt PNG header: %w", IconField, err)
	}
	return data, nil
}

// EncodeIcon returns the field value that carries png: an empty first
// line, then base64 in continuation lines of at most 76 characters.
func EncodeIcon(png []byte) string {
	text := base64.StdEncoding.EncodeToString(png)
	var b strings.Builder
	for len(text) > 0 {
		n := min(76, len(text))
		b.WriteString("\n ")
		b.WriteString(text[:n])
		text = text[n:]
	}
	return b.String()
}
