//go:build linux && (amd64 || arm64)

package prefault

// supported says madvise below is the system call.
const supported = true

// madvise is the madvise system call, made without the runtime's
// system-call bookkeeping (as the runtime makes its own): it returns the
// error number, 0 on success.
//
//go:noescape
func madvise(addr, n, advice uintptr) (errno uintptr)

// mincore is the mincore system call: one byte a page of [addr, addr+n)
// into vec, bit 0 set when the page is in memory. It returns the error
// number, 0 on success.
//
//go:noescape
func mincore(addr, n uintptr, vec *byte) (errno uintptr)
