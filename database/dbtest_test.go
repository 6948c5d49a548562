package database

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"
	_ "go.mau.fi/util/dbutil/litestream"
)

// postgresEnv names the DSN of a PostgreSQL database whose role may create
// databases; every test gets a database of its own. .ci/postgres.sh prints it.
const postgresEnv = "WXBRIDGE_TEST_POSTGRES"

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
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		msg := postgresEnv + ` is not set: run eval "$(.ci/postgres.sh)" (as root) to get a test PostgreSQL`
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (PostgreSQL tests are required in CI)")
		}
		t.Skip(msg)
	}
	admin, err := sql.Open("postgres", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "wxbridge_test_" + hex.EncodeToString(b[:])
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err, "the role in %s must be allowed to create databases", postgresEnv)
	t.Cleanup(func() {
		if err := dropDatabase(admin, name); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})

	parent, err := dbutil.NewWithDialect(withDatabase(t, dsn, name), "postgres")
	require.NoError(t, err)
	return upgradeTestDB(t, parent)
}

// withDatabase points a PostgreSQL DSN (URL or key=value form) at another
// database.
func withDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name
}

func upgradeTestDB(t testing.TB, parent *dbutil.Database) *Database {
	t.Helper()
	db := New(parent, testLogger(t))
	t.Cleanup(func() { _ = parent.Close() })
	require.NoError(t, db.Upgrade(testContext(t)))
	return db
}

// dropDatabase drops a test database, retrying for a few seconds: an
// autovacuum worker that PostgreSQL starts on a fresh database runs as the
// superuser, and WITH (FORCE) may not terminate it (SQLSTATE 42501) until
// it is done.
func dropDatabase(admin *sql.DB, name string) error {
	var err error
	for range 25 {
		if _, err = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}
