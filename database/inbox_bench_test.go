package database

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/internal/pgtest"
)

// BenchmarkInboxRoundTrip measures what the inbox costs one message on its
// way to Matrix: the batch stored with the session, the drain's read, and
// the item deleted once bridged.
func BenchmarkInboxRoundTrip(b *testing.B) {
	run := func(b *testing.B, db *Database) {
		ctx := testContext(b)
		state := []byte(`{"sync_key":{"Count":4,"List":[{"Key":1,"Val":1},{"Key":2,"Val":2},{"Key":3,"Val":3},{"Key":1000,"Val":1000}]}}`)
		payload := []byte(`{"self":"@self","message":{"MsgId":"1","FromUserName":"@a","ToUserName":"@self","MsgType":1,"Content":"hello"}}`)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			items := []InboxItem{{MsgID: int64(i + 1), Payload: payload}}
			require.NoError(b, db.Inbox.StoreBatch(ctx, testLogin, state, items))
			pending, err := db.Inbox.Pending(ctx, testLogin, 0, 200)
			if err != nil || len(pending) != 1 {
				b.Fatalf("pending: %v (%d items)", err, len(pending))
			}
			require.NoError(b, db.Inbox.Done(ctx, testLogin, pending[0].Seq), "item "+strconv.Itoa(i))
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, newSQLiteTestDB(b)) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(pgtest.Env) == "" {
			b.Skip(pgtest.Env + " is not set")
		}
		run(b, newPostgresTestDB(b))
	})
}
