package database

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"
	_ "go.mau.fi/util/dbutil/litestream"

	"github.com/wxbridge/wxbridge/internal/pgtest"
)

// forEachDB runs fn against a freshly upgraded database on SQLite and on
// PostgreSQL. Without WXBRIDGE_TEST_POSTGRES the PostgreSQL half fails in CI
// (CI set) and is skipped, loudly, elsewhere.
func forEachDB(t *testing.T, fn func(t *testing.T, ctx context.Context, db *Database)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, testContext(t), newSQLiteTestDB(t))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, testContext(t), newPostgresTestDB(t))
	})
}

func testLogger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel).With().Timestamp().Logger()
}

func testContext(t testing.TB) context.Context {
	log := testLogger(t)
	return log.WithContext(context.Background())
}

func newSQLiteTestDB(t testing.TB) *Database {
	t.Helper()
	uri := "file:" + filepath.Join(t.TempDir(), "wxbridge.db") + "?_txlock=immediate"
	parent, err := dbutil.NewWithDialect(uri, "sqlite3-fk-wal")
	require.NoError(t, err)
	return upgradeTestDB(t, parent)
}

func newPostgresTestDB(t testing.TB) *Database {
	t.Helper()
	parent, err := dbutil.NewWithDialect(pgtest.Fresh(t, "wxbridge_test_"), "postgres")
	require.NoError(t, err)
	return upgradeTestDB(t, parent)
}

func upgradeTestDB(t testing.TB, parent *dbutil.Database) *Database {
	t.Helper()
	db := New(parent, testLogger(t))
	t.Cleanup(func() { _ = parent.Close() })
	require.NoError(t, db.Upgrade(testContext(t)))
	return db
}
