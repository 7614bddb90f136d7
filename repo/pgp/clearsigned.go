package pgp

import (
	"bytes"
	"slices"
	"strings"
)

// Framing lines of a clear-signed message (RFC 9580, section 7).
const (
	beginSigned    = "-----BEGIN PGP SIGNED MESSAGE-----"
	beginSignature = "-----BEGIN PGP SIGNATURE-----"
)

// hashHeaderNames are the digest names a "Hash:" armor header may give.
var hashHeaderNames = []string{"MD5", "SHA1", "RIPEMD160", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-512"}

// maxHashHeaders bounds the number of armor header lines.
const maxHashHeaders = 16

// clearSigned is a clear-signed message taken apart.
type clearSigned struct {
	hashes    []string // digests the Hash headers announce; empty when none
	text      []byte   // the signed text: each line, unescaped, ends in "\n"
	canonical []byte   // what the signature covers: lines joined by "\r\n"
	signature []byte   // the binary signature packets
}

// parseClearSigned checks the framing of a clear-signed message strictly
// and takes it apart. Only blank lines may stand before the
// "-----BEGIN PGP SIGNED MESSAGE-----" line and after the signature
// block; only "Hash" armor headers are allowed; a text line that starts
// with "-" must be dash-escaped. Data without a signed-message line at all
// yields ErrNoSignature, any other defect ErrMalformed.
func parseClearSigned(data []byte) (*clearSigned, error) {
	lines := splitLines(data)
	i := 0
	for i < len(lines) && isBlank(lines[i]) {
		i++
	}
	if i == len(lines) || !bytes.Equal(trimRight(lines[i]), []byte(beginSigned)) {
		if bytes.Contains(data, []byte(beginSigned)) {
			return nil, malformed("text before %s", beginSigned)
		}
		return nil, ErrNoSignature
	}
	cs := &clearSigned{}
	i, err := cs.readHeaders(lines, i+1)
	if err != nil {
		return nil, err
	}
	if i, err = cs.readText(lines, i); err != nil {
		return nil, err
	}
	body, n, err := decodeArmor(lines[i:], armorSignature)
	if err != nil {
		return nil, err
	}
	cs.signature = body
	for _, l := range lines[i+n:] {
		if !isBlank(l) {
			return nil, malformed("text after the signature block")
		}
	}
	return cs, nil
}

// readHeaders reads the "Hash: A, B" lines that follow the first line, up
// to and including the blank line that ends them, and returns the index
// of the first text line.
func (cs *clearSigned) readHeaders(lines [][]byte, i int) (int, error) {
	for n := 0; i < len(lines); i, n = i+1, n+1 {
		line := trimRight(lines[i])
		if len(line) == 0 {
			return i + 1, nil
		}
		if n == maxHashHeaders {
			return 0, malformed("too many armor headers")
		}
		key, val, ok := strings.Cut(string(line), ":")
		if !ok || strings.TrimSpace(key) != "Hash" {
			return 0, malformed("armor header %q in a signed message (only Hash is allowed)", printable(string(line)))
		}
		for _, h := range strings.Split(val, ",") {
			h = strings.ToUpper(strings.TrimSpace(h))
			if !slices.Contains(hashHeaderNames, h) {
				return 0, malformed("unknown digest %q in the Hash header", printable(h))
			}
			cs.hashes = append(cs.hashes, h)
		}
	}
	return 0, malformed("signed message ends in its armor headers")
}

// readText reads the signed text lines up to the signature's header line
// and returns that line's index. Trailing white space is dropped from each
// line, as the signature does not cover it.
func (cs *clearSigned) readText(lines [][]byte, i int) (int, error) {
	var text, canon bytes.Buffer
	for ; i < len(lines); i++ {
		line := lines[i]
		if bytes.Equal(trimRight(line), []byte(beginSignature)) {
			cs.text, cs.canonical = text.Bytes(), canon.Bytes()
			return i, nil
		}
		if len(line) > 0 && line[0] == '-' {
			unescaped, ok := bytes.CutPrefix(line, []byte("- "))
			if !ok {
				return 0, malformed("line %d: a line starting with \"-\" is not dash-escaped", i+1)
			}
			line = unescaped
		}
		line = trimRight(line)
		if canon.Len() > 0 || text.Len() > 0 {
			canon.WriteString("\r\n")
		}
		canon.Write(line)
		text.Write(line)
		text.WriteByte('\n')
	}
	return 0, malformed("no %s line after the signed text", beginSignature)
}
