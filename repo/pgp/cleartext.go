package pgp

import "fmt"

// ClearSignedText returns the text of a clear-signed message WITHOUT
// verifying any signature, after checking the same framing rules as
// VerifyClearSigned. It exists only for sources the user marked
// trusted=yes, whose Release is used even when its signature cannot be
// checked; everything else must call VerifyClearSigned.
func ClearSignedText(data []byte) ([]byte, error) {
	cs, err := parseClearSigned(data)
	if err != nil {
		return nil, fmt.Errorf("clear-signed message: %w", err)
	}
	return cs.text, nil
}
