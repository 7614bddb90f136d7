package dbus

import "os"

// selfUID is the uid the service runs as.
func selfUID() int { return os.Getuid() }
