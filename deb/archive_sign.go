package deb

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// memberOrder checks that the members of a .deb come in the order dpkg
// requires: debian-binary, control.tar*, data.tar*, with members whose
// name starts with '_' allowed anywhere after debian-binary.
type memberOrder struct {
	stage int // 0 start, 1 after debian-binary, 2 after control, 3 after data
	count int
}

func (o *memberOrder) next(name string) error {
	o.count++
	if o.count > MaxArMembers {
		return fmt.Errorf("more than %d archive members", MaxArMembers)
	}
	switch {
	case o.stage == 0 && name == "debian-binary":
	case o.stage == 0:
		return fmt.Errorf("not a debian binary archive (first member is %q, not debian-binary)", name)
	case strings.HasPrefix(name, "_"):
		return nil
	case o.stage == 1 && strings.HasPrefix(name, "control.tar"):
	case o.stage == 2 && strings.HasPrefix(name, "data.tar"):
	case o.stage == 1:
		return fmt.Errorf("member %s before control.tar", name)
	case o.stage == 2:
		return fmt.Errorf("member %s before data.tar", name)
	default:
		return fmt.Errorf("member %s after data.tar", name)
	}
	o.stage++
	return nil
}

func (o *memberOrder) done() error {
	if o.stage < 3 {
		return errors.New("archive has no data.tar member")
	}
	return nil
}

// ValidSignatureName reports whether name can name a signature member:
// "_gpg" followed by letters, digits or '_', as debsigs (_gpgorigin,
// _gpgmaint) and dpkg-sig (_gpgbuilder) use, or "_aim" followed by the
// same, for what aim's signatures carry along (_aimkeys); 16 bytes at most
// (the ar name field). dpkg skips members starting with '_'.
func ValidSignatureName(name string) bool {
	rest, ok := cutSignaturePrefix(name)
	if !ok || len(name) > arNameMax {
		return false
	}
	for _, c := range rest {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func cutSignaturePrefix(name string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, "_gpg"); ok {
		return rest, true
	}
	return strings.CutPrefix(name, "_aim")
}

// AddSignature copies the package read from in to out, appending a member
// called name that holds sig after data.tar and any signatures already
// there; an existing member of the same name is dropped. Other members are
// copied unchanged, in order, so dpkg-deb reads the result as it read the
// input. The new member's timestamp is data.tar's.
func AddSignature(in io.Reader, out io.Writer, name string, sig []byte) error {
	if !ValidSignatureName(name) {
		return fmt.Errorf("invalid signature member name %q", name)
	}
	if len(sig) > MaxSignatureSize {
		return fmt.Errorf("signature too large (%d bytes)", len(sig))
	}
	ar, err := newArReader(in)
	if err != nil {
		return err
	}
	aw, err := newArWriter(out)
	if err != nil {
		return err
	}
	var order memberOrder
	var dataTime int64
	for {
		h, err := ar.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := order.next(h.Name); err != nil {
			return err
		}
		if strings.HasPrefix(h.Name, "data.tar") {
			dataTime = h.ModTime
		}
		if h.Name == name {
			continue
		}
		if err := copyMember(aw, ar, h); err != nil {
			return err
		}
	}
	if err := order.done(); err != nil {
		return err
	}
	return aw.writeMember(name, sig, time.Unix(dataTime, 0))
}

func copyMember(aw *arWriter, ar *arReader, h *arHeader) error {
	if err := aw.writeHeader(h.Name, h.Size, time.Unix(h.ModTime, 0)); err != nil {
		return err
	}
	if _, err := io.Copy(aw, ar); err != nil {
		return fmt.Errorf("copy member %s: %w", h.Name, err)
	}
	return aw.finish()
}

// WriteSignedData writes to out what a debsigs-style signature
// (_gpgorigin) covers: the contents of debian-binary, control.tar* and
// data.tar*, concatenated in that order. Members starting with '_' are
// left out.
func WriteSignedData(in io.Reader, out io.Writer) error {
	ar, err := newArReader(in)
	if err != nil {
		return err
	}
	var order memberOrder
	for {
		h, err := ar.next()
		if err == io.EOF {
			return order.done()
		}
		if err != nil {
			return err
		}
		if err := order.next(h.Name); err != nil {
			return err
		}
		if strings.HasPrefix(h.Name, "_") {
			continue
		}
		if _, err := io.Copy(out, ar); err != nil {
			return fmt.Errorf("copy member %s: %w", h.Name, err)
		}
	}
}
