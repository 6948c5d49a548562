// Package pgtest gives each test a PostgreSQL database of its own, on the
// server named by WXBRIDGE_TEST_POSTGRES (.ci/postgres.sh prints it). It is
// for tests only: nothing the bridge binary builds imports it.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // the admin connection that creates and drops databases
)

// Env names the DSN of a PostgreSQL database whose role may create
// databases.
const Env = "WXBRIDGE_TEST_POSTGRES"

// Fresh creates an empty database named prefix plus a random suffix on the
// server of WXBRIDGE_TEST_POSTGRES and returns the DSN pointing at it, in
// the form the variable has (a postgres:// URL or key=value pairs). The
// database is dropped when the test ends, after the cleanups registered
// later (such as a stack started after Fresh). Without the variable the
// test is skipped, except in CI (CI set), where it fails.
func Fresh(tb testing.TB, prefix string) string {
	tb.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		msg := Env + ` is not set: run eval "$(.ci/postgres.sh)" (as root) to get a test PostgreSQL`
		if os.Getenv("CI") != "" {
			tb.Fatal(msg + " (PostgreSQL tests are required in CI)")
		}
		tb.Skip(msg)
	}
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		tb.Fatalf("opening %s: %v", Env, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	if _, err = admin.Exec("CREATE DATABASE " + name); err != nil {
		_ = admin.Close()
		tb.Fatalf("creating database %s (the role in %s must be allowed to create databases): %v", name, Env, err)
	}
	tb.Cleanup(func() {
		if err := dropDatabase(admin, name); err != nil {
			tb.Errorf("dropping test database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	out, err := withDatabase(dsn, name)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	return out
}

// withDatabase points a PostgreSQL DSN (URL or key=value form) at another
// database.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
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
