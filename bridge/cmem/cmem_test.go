package cmem

import (
	"database/sql"
	"fmt"
	"runtime"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadSeesSQLite fills an SQLite database in memory and expects Read
// to see SQLite's allocations grow, and malloc's heap to hold them.
func TestReadSeesSQLite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("cmem reads glibc's malloc, on Linux only")
	}
	before, ok := Read()
	require.True(t, ok, "glibc's mallinfo2 is readable")

	db, err := sql.Open("sqlite3", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
	require.NoError(t, err)
	for i := range 2000 {
		_, err = db.Exec("INSERT INTO t (v) VALUES (?)", fmt.Sprintf("%0500d", i))
		require.NoError(t, err)
	}

	after, ok := Read()
	require.True(t, ok)
	// 2,000 rows of 500 bytes live in SQLite's page cache: about 1 MB.
	assert.Greater(t, after.SQLite-before.SQLite, int64(500_000), "SQLite's allocations")
	assert.GreaterOrEqual(t, after.HeapInUse, after.SQLite, "SQLite allocates through malloc")
	assert.GreaterOrEqual(t, after.HeapFree, int64(0))
}
