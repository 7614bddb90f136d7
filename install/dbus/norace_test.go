//go:build !race

package dbus

// raceEnabled is true under the race detector, which slows every call.
const raceEnabled = false
