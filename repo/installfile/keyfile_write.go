package installfile

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// KeyFileGroup is one "[name]" group of a GLib key file, its keys in
// order.
type KeyFileGroup struct {
	Name string
	Keys [][2]string
}

// keyFileName matches the group and key names WriteKeyFile accepts; a key
// may end in a locale, "name[de_DE]".
// It is compiled on first use, not at start-up.
var keyFileName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_.-]+(\[[A-Za-z0-9_.@-]+\])?$`)
})

// WriteKeyFile returns groups as GLib key file text: "[group]" lines,
// "key=value" lines with values escaped as g_key_file_set_string does
// (\\, \n, \t, \r, and \s for a leading space), a blank line between
// groups. It refuses group and key names other than letters, digits,
// "_", "." and "-" (keys may add a "[locale]"), and invalid UTF-8.
// ParseKeyFile reads the text back to the same values.
func WriteKeyFile(groups []KeyFileGroup) ([]byte, error) {
	kf := &KeyFile{}
	for _, g := range groups {
		if !keyFileName().MatchString(g.Name) || strings.Contains(g.Name, "[") {
			return nil, fmt.Errorf("key file: bad group name %q", g.Name)
		}
		kf.group(g.Name, true)
		for _, kv := range g.Keys {
			if !keyFileName().MatchString(kv[0]) {
				return nil, fmt.Errorf("key file: bad key name %q", kv[0])
			}
			if err := kf.SetString(g.Name, kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
	}
	return kf.Bytes(), nil
}
