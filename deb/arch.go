package deb

import "runtime"

// goArchToDebian maps Go's GOARCH names to Debian architecture names.
var goArchToDebian = map[string]string{
	"amd64": "amd64", "arm64": "arm64", "386": "i386", "arm": "armhf",
	"ppc64le": "ppc64el", "ppc64": "ppc64", "riscv64": "riscv64", "s390x": "s390x",
	"mips64le": "mips64el", "mipsle": "mipsel", "loong64": "loong64",
}

// HostArch returns the Debian name of the architecture this program was
// built for (e.g. "amd64", "armhf" for GOARCH=arm), or GOARCH itself when
// Debian has no name for it.
func HostArch() string {
	if a, ok := goArchToDebian[runtime.GOARCH]; ok {
		return a
	}
	return runtime.GOARCH
}
