// Package cmem reads what the C side of the process holds: the memory
// SQLite has allocated and glibc malloc's heap (in use and kept free). In
// wxbridge only SQLite allocates in C; its allocations live in malloc's
// arenas, outside the Go runtime's view (runtime.MemStats), so they are
// part of RSS that Go's statistics cannot explain.
//
// Read works when the binary is built with cgo on glibc (the Debian
// builds and the Docker image); elsewhere it reports nothing.
package cmem

// Stats is a reading of the C side's memory, in bytes.
type Stats struct {
	// SQLite is what SQLite has allocated and not freed
	// (sqlite3_memory_used): page caches, schemas, prepared statements of
	// every connection. -1 when SQLite is not linked into the binary.
	SQLite int64
	// HeapInUse is what malloc has handed out and not got back, in all its
	// arenas and its separately mapped large blocks (mallinfo2's uordblks
	// + hblkhd).
	HeapInUse int64
	// HeapFree is what malloc holds free in its arenas for reuse
	// (fordblks); some of its pages may have been given back to the
	// system.
	HeapFree int64
}
