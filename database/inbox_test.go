package database

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

		state, err := db.Session.Get(ctx, testLogin)
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
		state, err := db.Session.Get(ctx, testLogin)
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
		state, err := db.Session.Get(ctx, testLogin)
		require.NoError(t, err)
		assert.Nil(t, state)
		require.ErrorIs(t, db.Inbox.StoreBatch(ctx, "", nil, nil), ErrInvalidLoginID)
		_, err = db.Inbox.Pending(ctx, "\xff", 0, 1)
		require.ErrorIs(t, err, ErrInvalidLoginID)
		require.ErrorIs(t, db.Inbox.Done(ctx, "", 1), ErrInvalidLoginID)
	})
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
