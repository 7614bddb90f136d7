package unpack

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// Values from <fcntl.h>, which package syscall does not export on linux.
const (
	atFDCWD           = -100
	atSymlinkNofollow = 0x100
)

// lutimes sets the access and modification times of p to t without
// following a symlink at p (utimensat with AT_SYMLINK_NOFOLLOW).
func lutimes(p string, t time.Time) error {
	b, err := syscall.BytePtrFromString(p)
	if err != nil {
		return err
	}
	ts := [2]syscall.Timespec{syscall.NsecToTimespec(t.UnixNano()), syscall.NsecToTimespec(t.UnixNano())}
	dirfd := atFDCWD
	_, _, errno := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(dirfd), uintptr(unsafe.Pointer(b)),
		uintptr(unsafe.Pointer(&ts[0])), atSymlinkNofollow, 0, 0)
	if errno != 0 {
		return &os.PathError{Op: "utimensat", Path: p, Err: errno}
	}
	return nil
}
