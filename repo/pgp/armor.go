package pgp

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// Armor block types this package reads.
const (
	armorSignature = "PGP SIGNATURE"
	armorPublicKey = "PGP PUBLIC KEY BLOCK"
	armorSecretKey = "PGP PRIVATE KEY BLOCK"
)

// splitLines splits data into lines without their "\n" or "\r\n"
// terminators. A last line without a terminator is kept when not empty.
func splitLines(data []byte) [][]byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	for i, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\n"))
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return lines
}

// trimRight removes the trailing white space RFC 9580 ignores in
// clear-signed text and armor lines: spaces, tabs and carriage returns.
func trimRight(line []byte) []byte {
	return bytes.TrimRight(line, " \t\r")
}

// isBlank reports whether line holds white space only.
func isBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}

// armorHeaderType returns the type named by an armor header line such as
// "-----BEGIN PGP SIGNATURE-----", or "" when line is not one.
func armorHeaderType(line []byte) string {
	line = trimRight(line)
	rest, ok := bytes.CutPrefix(line, []byte("-----BEGIN "))
	if !ok {
		return ""
	}
	typ, ok := bytes.CutSuffix(rest, []byte("-----"))
	if !ok || len(typ) == 0 {
		return ""
	}
	return string(typ)
}

// decodeArmor decodes the armor block that starts at lines[0], whose
// header line names typ. It returns the binary body and the number of
// lines the block took, through its "-----END typ-----" line. Armor headers
// ("Version: ...") are skipped; the CRC-24 checksum is checked when present.
func decodeArmor(lines [][]byte, typ string) ([]byte, int, error) {
	if armorHeaderType(lines[0]) != typ {
		return nil, 0, malformed("expected -----BEGIN %s-----", typ)
	}
	i := skipArmorHeaders(lines, 1)
	var b64 bytes.Buffer
	var sum []byte
	for ; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if bytes.Equal(line, []byte("-----END "+typ+"-----")) {
			return finishArmor(b64.Bytes(), sum, i+1)
		}
		if sum != nil {
			return nil, 0, malformed("armor: data after the checksum line")
		}
		if len(line) == 5 && line[0] == '=' {
			sum = line[1:]
			continue
		}
		if len(line) == 0 || len(line) > 200 {
			return nil, 0, malformed("armor: bad line %d of the %s block", i+1, typ)
		}
		b64.Write(line)
	}
	return nil, 0, malformed("armor: no -----END %s----- line", typ)
}

// skipArmorHeaders returns the index of the first body line after the
// armor headers that start at lines[i]. Headers end with a blank line; a
// line without a colon (base64 has none) starts the body even without
// one, as some writers omit it.
func skipArmorHeaders(lines [][]byte, i int) int {
	for ; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 {
			return i + 1
		}
		if !bytes.Contains(line, []byte(":")) {
			return i
		}
	}
	return i
}

// finishArmor decodes the base64 body of an armor block and checks its
// checksum when sum holds one.
func finishArmor(b64, sum []byte, n int) ([]byte, int, error) {
	body := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	m, err := base64.StdEncoding.Decode(body, b64)
	if err != nil {
		return nil, 0, malformed("armor: %v", err)
	}
	body = body[:m]
	if sum != nil {
		var want [3]byte
		if k, err := base64.StdEncoding.Decode(want[:], sum); err != nil || k != 3 {
			return nil, 0, malformed("armor: bad checksum line")
		}
		if got := crc24(body); got != uint32(want[0])<<16|uint32(want[1])<<8|uint32(want[2]) {
			return nil, 0, malformed("armor: checksum mismatch")
		}
	}
	if len(body) == 0 {
		return nil, 0, malformed("armor: empty block")
	}
	return body, n, nil
}

// crc24 is the armor checksum of RFC 4880, section 6.1.
func crc24(data []byte) uint32 {
	crc := uint32(0xB704CE)
	for _, b := range data {
		crc ^= uint32(b) << 16
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= 0x1864CFB
			}
		}
	}
	return crc & 0xFFFFFF
}

// armorBlocks decodes every armor block of the given type in data, which
// may hold other text around them (key files often do). A block of
// another OpenPGP type is an error: a secret key block yields ErrSecretKey.
func armorBlocks(data []byte, typ string) ([][]byte, error) {
	lines := splitLines(data)
	var blocks [][]byte
	for i := 0; i < len(lines); i++ {
		t := armorHeaderType(lines[i])
		switch {
		case t == "":
			continue
		case t == armorSecretKey:
			return nil, ErrSecretKey
		case t != typ:
			return nil, malformed("armor: found a %s block where a %s was expected", t, typ)
		}
		body, n, err := decodeArmor(lines[i:], typ)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		blocks = append(blocks, body)
		i += n - 1
	}
	return blocks, nil
}
