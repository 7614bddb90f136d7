//go:build !linux || !(amd64 || arm64)

package prefault

// supported says madvise below is the system call; it is not here.
const supported = false

// madvise does nothing on this platform.
func madvise(addr, n, advice uintptr) (errno uintptr) { return 38 } // ENOSYS

// mincore does nothing on this platform.
func mincore(addr, n uintptr, vec *byte) (errno uintptr) { return 38 } // ENOSYS
