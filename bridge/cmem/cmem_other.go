//go:build !cgo || !linux

package cmem

// Read reports nothing without cgo on Linux.
func Read() (Stats, bool) { return Stats{SQLite: -1}, false }
