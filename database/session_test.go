package database

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"
)

func TestSession(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		state, err := db.Session.Get(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)

		// Any bytes survive: NUL, invalid UTF-8, JSON.
		raw := []byte("{\"skey\":\"@crypt_SECRET\"}\x00\xff\xfe")
		require.NoError(t, db.Session.Put(ctx, testLogin, raw))
		state, err = db.Session.Get(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, raw, state)

		require.NoError(t, db.Session.Put(ctx, testLogin, []byte{}))
		state, err = db.Session.Get(ctx, testLogin)
		require.NoError(t, err)
		assert.NotNil(t, state, "an empty state is still a state")
		assert.Empty(t, state)

		require.NoError(t, db.Session.Delete(ctx, testLogin))
		state, err = db.Session.Get(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)
		require.NoError(t, db.Session.Delete(ctx, testLogin), "deleting twice is fine")

		require.Error(t, db.Session.Put(ctx, testLogin, nil), "nil is no state")
		for _, loginID := range []string{"", "\xff"} {
			_, err = db.Session.Get(ctx, loginID)
			require.ErrorIs(t, err, ErrInvalidLoginID)
			require.ErrorIs(t, db.Session.Put(ctx, loginID, raw), ErrInvalidLoginID)
			require.ErrorIs(t, db.Session.Delete(ctx, loginID), ErrInvalidLoginID)
		}
	})
}

// TestSessionNeverLogged turns on the logging that could leak the session
// state and checks that it does not. dbutil logs the arguments of a query
// only when its DatabaseLogger has TraceLogAllQueries (or the query takes a
// second or more), the logger in the context is at trace level, and
// zerolog's global level lets trace events through, which by default it
// does not. The test first checks that the session queries were logged
// with their arguments, so that it would see a leak at all, and only then
// that the state is in no log line, neither as text nor as the base64 that
// encoding/json makes of bytes.
func TestSessionNeverLogged(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		var buf bytes.Buffer
		ctx, db = logAllQueries(t, ctx, db, &buf)
		secretState := []byte(`{"pass_ticket":"TOPSECRET-42"}`)
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, secretState, []InboxItem{item(1, "x")}))
		require.NoError(t, db.Session.Put(ctx, testLogin, secretState))
		_, err := db.Session.Get(ctx, testLogin)
		require.NoError(t, err)

		puts := loggedQueryArgs(t, buf.Bytes(), "INSERT INTO wechat_session ")
		require.Len(t, puts, 2, "StoreBatch and Session.Put each log their session write")
		for _, args := range puts {
			require.Len(t, args, 3, "login_id, state, updated_at")
			assert.Equal(t, testLogin, args[0])
			assert.Equal(t, "[redacted]", args[1], "the state argument")
		}
		require.Len(t, loggedQueryArgs(t, buf.Bytes(), "SELECT state FROM wechat_session "), 1, "Session.Get logs its query")

		assert.NotContains(t, buf.String(), "TOPSECRET")
		assert.NotContains(t, buf.String(), base64.StdEncoding.EncodeToString(secretState))
		j, err := json.Marshal(secret(secretState))
		require.NoError(t, err)
		assert.JSONEq(t, `"[redacted]"`, string(j))
	})
}

// logAllQueries returns ctx carrying a trace-level logger that writes JSON
// lines to buf, and a Database on db's tables that logs every query with
// its arguments there. A child database's queries are logged by its
// parent's DatabaseLogger (dbutil's Child copies the parent's LoggingDB),
// so the option goes on a new parent around db's connection pool; setting
// it on db itself would log nothing.
func logAllQueries(t *testing.T, ctx context.Context, db *Database, buf *bytes.Buffer) (context.Context, *Database) {
	t.Helper()
	log := zerolog.New(buf).Level(zerolog.TraceLevel)
	parent, err := dbutil.NewWithDB(db.RawDB, db.Dialect.String())
	require.NoError(t, err)
	parent.Log = dbutil.ZeroLogger(log, dbutil.ZeroLogSettings{TraceLogAllQueries: true})
	prevLevel := zerolog.GlobalLevel()
	zerolog.SetGlobalLevel(zerolog.TraceLevel)
	t.Cleanup(func() { zerolog.SetGlobalLevel(prevLevel) })
	return log.WithContext(ctx), New(parent, log)
}

// loggedQueryArgs returns the arguments of every query logged in out whose
// text starts with prefix, failing if such a query was logged without them.
func loggedQueryArgs(t *testing.T, out []byte, prefix string) [][]any {
	t.Helper()
	var found [][]any
	for line := range bytes.Lines(out) {
		var entry struct {
			Query     string `json:"query"`
			QueryArgs []any  `json:"query_args"`
		}
		require.NoError(t, json.Unmarshal(line, &entry), "log line %s", line)
		if strings.HasPrefix(entry.Query, prefix) {
			require.NotNil(t, entry.QueryArgs, "logged without its arguments: %s", line)
			found = append(found, entry.QueryArgs)
		}
	}
	return found
}
