//go:build cgo && linux

package cmem

/*
#include <stdlib.h> // defines __GLIBC__ (features.h)

// Weak, so that a binary without go-sqlite3 (a unit test) links too.
extern long long sqlite3_memory_used(void) __attribute__((weak));

static long long wx_sqlite_used(void) {
	return sqlite3_memory_used ? sqlite3_memory_used() : -1;
}

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
static int wx_heap(long long *in_use, long long *free_kept) {
	struct mallinfo2 mi = mallinfo2();
	*in_use = (long long)(mi.uordblks + mi.hblkhd);
	*free_kept = (long long)mi.fordblks;
	return 1;
}
#else
static int wx_heap(long long *in_use, long long *free_kept) { return 0; }
#endif
*/
import "C"

// Read reads the C side's memory; ok is false where malloc's figures are
// not available (not glibc).
func Read() (st Stats, ok bool) {
	st.SQLite = int64(C.wx_sqlite_used())
	var inUse, free C.longlong
	if C.wx_heap(&inUse, &free) == 0 {
		return st, false
	}
	st.HeapInUse, st.HeapFree = int64(inUse), int64(free)
	return st, true
}
