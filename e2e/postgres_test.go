package e2e_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/lib/pq"
	"github.com/stretchr/testify/require"
)

const postgresEnv = "WXBRIDGE_TEST_POSTGRES"

// freshPostgres creates an empty database on the PostgreSQL server of
// WXBRIDGE_TEST_POSTGRES (a postgres:// URL) and returns its URL; it is
// dropped when the test ends, after the stack has stopped. Without the
// variable the test is skipped, except in CI, where it fails.
func freshPostgres(t *testing.T) string {
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
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "wxbridge_e2e_" + hex.EncodeToString(b[:])
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err, "the role in %s must be allowed to create databases", postgresEnv)
	// Registered before the stack starts, so it runs after the stack stopped.
	t.Cleanup(func() {
		// An autovacuum worker on the fresh database runs as the superuser,
		// and WITH (FORCE) may not terminate it (42501) until it is done.
		for try := 1; ; try++ {
			_, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			if err == nil {
				break
			} else if try == 25 {
				t.Errorf("dropping %s: %v", name, err)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err, "%s must be a postgres:// URL", postgresEnv)
	u.Path = "/" + name
	return u.String()
}
