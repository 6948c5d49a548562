package database

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"
)

func item(msgID int64, payload string) InboxItem {
	return InboxItem{MsgID: msgID, Payload: []byte(payload)}
}

func TestInboxOrderAndDone(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		const big = int64(1)<<53 + 1 // not representable as a float64
		ids := []int64{4432839498043928403, big, math.MaxInt64, 0, 0, 7, -3}
		var batch []InboxItem
		for i, id := range ids {
			batch = append(batch, item(id, `{"n":`+string(rune('0'+i))+`}`))
		}
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte(`{"SyncKey":1}`), batch[:3]))
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte(`{"SyncKey":2}`), batch[3:]))
		require.NoError(t, db.Inbox.StoreBatch(ctx, "other", nil, []InboxItem{item(big, "other login")}))

		pending, err := db.Inbox.Pending(ctx, testLogin, 0, 0)
		require.NoError(t, err)
		require.Len(t, pending, len(ids))
		for i, it := range pending {
			assert.Equal(t, ids[i], it.MsgID, "msg id %d round-trips exactly", i)
			assert.Equal(t, batch[i].Payload, it.Payload)
			assert.Equal(t, testLogin, it.LoginID)
			assert.False(t, it.CreatedAt.IsZero())
			if i > 0 {
				assert.Greater(t, it.Seq, pending[i-1].Seq)
			}
		}

		first2, err := db.Inbox.Pending(ctx, testLogin, 0, 2)
		require.NoError(t, err)
		assert.Equal(t, pending[:2], first2)
		next2, err := db.Inbox.Pending(ctx, testLogin, first2[1].Seq, 2)
		require.NoError(t, err)
		assert.Equal(t, pending[2:4], next2, "the window after the last seq seen")

		require.NoError(t, db.Inbox.Done(ctx, testLogin, pending[0].Seq))
		require.NoError(t, db.Inbox.Done(ctx, testLogin, pending[0].Seq), "done twice is fine")
		require.NoError(t, db.Inbox.Done(ctx, "other", pending[1].Seq), "another login's seq deletes nothing of ours")
		rest, err := db.Inbox.Pending(ctx, testLogin, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, pending[1:], rest)

		// New items come after the old ones even after deletions.
		require.NoError(t, db.Inbox.Done(ctx, testLogin, pending[len(pending)-1].Seq))
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, nil, []InboxItem{item(99, "late")}))
		rest, err = db.Inbox.Pending(ctx, testLogin, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "late", string(rest[len(rest)-1].Payload))
		assert.Greater(t, rest[len(rest)-1].Seq, pending[len(pending)-1].Seq)

		state, err := db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, `{"SyncKey":2}`, string(state), "a nil state leaves the session alone")
	})
}

func TestInboxIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		batch := []InboxItem{item(1<<60, "a"), item(0, "no id"), item(1<<60, "a again in the same batch"), item(5, "b")}
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte("s1"), batch))
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte("s1"), batch), "storing a batch again is harmless")
		pending, err := db.Inbox.Pending(ctx, testLogin, 0, 0)
		require.NoError(t, err)
		var got []string
		for _, it := range pending {
			got = append(got, string(it.Payload))
		}
		// Items with a msg id are stored once; items without one every time.
		assert.Equal(t, []string{"a", "no id", "b", "no id"}, got)
		n, err := db.Inbox.Count(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, 4, n)
	})
}

func TestInboxBatchIsAtomic(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte("old state"), []InboxItem{item(1, "one")}))

		// Break the session table so the batch fails after its items were
		// inserted, inside the transaction.
		_, err := db.Exec(ctx, "ALTER TABLE wechat_session RENAME TO wechat_session_away")
		require.NoError(t, err)
		err = db.Inbox.StoreBatch(ctx, testLogin, []byte("new state"), []InboxItem{item(2, "two"), item(3, "three")})
		require.Error(t, err)
		_, err = db.Exec(ctx, "ALTER TABLE wechat_session_away RENAME TO wechat_session")
		require.NoError(t, err)

		pending, err := db.Inbox.Pending(ctx, testLogin, 0, 0)
		require.NoError(t, err)
		require.Len(t, pending, 1, "no item of the failed batch was kept")
		assert.Equal(t, "one", string(pending[0].Payload))
		state, err := db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, "old state", string(state))

		// Retrying the same batch after the failure stores it.
		require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, []byte("new state"), []InboxItem{item(2, "two"), item(3, "three")}))
		n, err := db.Inbox.Count(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, 3, n)

		// A cancelled context writes nothing either.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, db.Inbox.StoreBatch(cancelled, testLogin, []byte("x"), []InboxItem{item(4, "four")}))
		n, err = db.Inbox.Count(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
	})
}

func TestInboxInvalid(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		err := db.Inbox.StoreBatch(ctx, testLogin, []byte("s"), []InboxItem{item(1, "ok"), {MsgID: 2}})
		require.ErrorIs(t, err, ErrInvalidInboxItem)
		n, err := db.Inbox.Count(ctx, testLogin)
		require.NoError(t, err)
		assert.Zero(t, n)
		state, err := db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)
		require.ErrorIs(t, db.Inbox.StoreBatch(ctx, "", nil, nil), ErrInvalidLoginID)
		_, err = db.Inbox.Pending(ctx, "\xff", 0, 1)
		require.ErrorIs(t, err, ErrInvalidLoginID)
		require.ErrorIs(t, db.Inbox.Done(ctx, "", 1), ErrInvalidLoginID)
		require.Error(t, db.Inbox.PutSession(ctx, testLogin, nil))
	})
}

func TestSession(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		state, err := db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)

		// Any bytes survive: NUL, invalid UTF-8, JSON.
		raw := []byte("{\"skey\":\"@crypt_SECRET\"}\x00\xff\xfe")
		require.NoError(t, db.Inbox.PutSession(ctx, testLogin, raw))
		state, err = db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Equal(t, raw, state)

		require.NoError(t, db.Inbox.PutSession(ctx, testLogin, []byte{}))
		state, err = db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.NotNil(t, state, "an empty state is still a state")
		assert.Empty(t, state)

		require.NoError(t, db.Inbox.DeleteSession(ctx, testLogin))
		state, err = db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)
		require.NoError(t, db.Inbox.DeleteSession(ctx, testLogin), "deleting twice is fine")
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
		require.NoError(t, db.Inbox.PutSession(ctx, testLogin, secretState))
		_, err := db.Inbox.GetSession(ctx, testLogin)
		require.NoError(t, err)

		puts := loggedQueryArgs(t, buf.Bytes(), "INSERT INTO wechat_session ")
		require.Len(t, puts, 2, "StoreBatch and PutSession each log their session write")
		for _, args := range puts {
			require.Len(t, args, 3, "login_id, state, updated_at")
			assert.Equal(t, testLogin, args[0])
			assert.Equal(t, "[redacted]", args[1], "the state argument")
		}
		require.Len(t, loggedQueryArgs(t, buf.Bytes(), "SELECT state FROM wechat_session "), 1, "GetSession logs its query")

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

func TestInboxStats(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		tests := []struct {
			name      string
			act       func(t *testing.T)
			wantItems int
		}{
			{"empty", func(*testing.T) {}, 0},
			{"two logins", func(t *testing.T) {
				require.NoError(t, db.Inbox.StoreBatch(ctx, testLogin, nil, []InboxItem{item(1, "a"), item(2, "b")}))
				require.NoError(t, db.Inbox.StoreBatch(ctx, "other", nil, []InboxItem{item(1, "c")}))
			}, 3},
			{"drained", func(t *testing.T) {
				for _, login := range []string{testLogin, "other"} {
					pending, err := db.Inbox.Pending(ctx, login, 0, 0)
					require.NoError(t, err)
					for _, it := range pending {
						require.NoError(t, db.Inbox.Done(ctx, login, it.Seq))
					}
				}
			}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := time.Now().Add(-time.Second)
				tt.act(t)
				st, err := db.Inbox.Stats(ctx)
				require.NoError(t, err)
				assert.Equal(t, tt.wantItems, st.Items)
				if tt.wantItems == 0 {
					assert.True(t, st.Oldest.IsZero(), "no oldest item in an empty inbox")
				} else {
					assert.WithinRange(t, st.Oldest, before, time.Now().Add(time.Second))
				}
			})
		}
	})
}
