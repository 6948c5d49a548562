package database

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/util/dbutil"

	"github.com/wxbridge/wxbridge/database/upgrades"
)

// request builds a friend request of testLogin in session "@self1".
func request(userName, realID, nick, ticket string) *FriendRequest {
	return &FriendRequest{
		LoginID: testLogin, UserName: userName, Requester: realID, Ticket: ticket, SelfUserName: "@self1",
		NickName: nick, Province: "Guangdong", City: "Shenzhen", Greeting: "hi, it's " + nick,
	}
}

func TestFriendRequestPut(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		q := db.FriendRequest
		received := time.UnixMilli(1_700_000_000_000)
		alice := request("@alice1", "wxid_alice", "Alice", "v2_a@stranger")
		alice.ReceivedAt = received
		a, err := q.Put(ctx, alice)
		require.NoError(t, err)
		assert.Equal(t, 1, a.Num)
		assert.Equal(t, FriendRequestPending, a.State)
		b, err := q.Put(ctx, request("@bob1", "", "Bob", "v2_b@stranger"))
		require.NoError(t, err)
		assert.Equal(t, 2, b.Num)
		assert.Equal(t, "@bob1", b.Requester, "without a real id the UserName identifies the requester")

		got, err := q.Get(ctx, testLogin, 1)
		require.NoError(t, err)
		require.NotNil(t, got)
		assert.Equal(t, FriendRequest{
			LoginID: testLogin, Num: 1, Requester: "wxid_alice", UserName: "@alice1", Ticket: "v2_a@stranger",
			SelfUserName: "@self1", NickName: "Alice", Province: "Guangdong", City: "Shenzhen",
			Greeting: "hi, it's Alice", State: FriendRequestPending, ReceivedAt: received, UpdatedAt: got.UpdatedAt,
		}, *got)

		t.Run("same request delivered again keeps its number and state", func(t *testing.T) {
			require.NoError(t, q.SetState(ctx, testLogin, 1, FriendRequestAccepted))
			again, err := q.Put(ctx, request("@alice1", "wxid_alice", "Alice", "v2_a@stranger"))
			require.NoError(t, err)
			assert.Equal(t, 1, again.Num)
			assert.Equal(t, FriendRequestAccepted, again.State)
		})
		t.Run("a new request by the same person is pending again", func(t *testing.T) {
			renewed := request("@alice2", "wxid_alice", "Alice W.", "v2_a2@stranger")
			renewed.SelfUserName = "@self2"
			again, err := q.Put(ctx, renewed)
			require.NoError(t, err)
			assert.Equal(t, 1, again.Num)
			assert.Equal(t, FriendRequestPending, again.State)
			got, err := q.Get(ctx, testLogin, 1)
			require.NoError(t, err)
			assert.Equal(t, "@alice2", got.UserName)
			assert.Equal(t, "v2_a2@stranger", got.Ticket)
			assert.Equal(t, "@self2", got.SelfUserName)
			assert.Equal(t, "Alice W.", got.NickName)
			list, err := q.List(ctx, testLogin, FriendRequestPending)
			require.NoError(t, err)
			assert.Len(t, list, 2, "no duplicate row")
		})
		t.Run("numbers are never reused", func(t *testing.T) {
			require.NoError(t, q.SetState(ctx, testLogin, 2, FriendRequestExpired))
			c, err := q.Put(ctx, request("@carol1", "", "Carol", "v2_c@stranger"))
			require.NoError(t, err)
			assert.Equal(t, 3, c.Num)
		})
		t.Run("list by state", func(t *testing.T) {
			list, err := q.List(ctx, testLogin, FriendRequestPending)
			require.NoError(t, err)
			var nums []int
			for _, fr := range list {
				nums = append(nums, fr.Num)
			}
			assert.Equal(t, []int{1, 3}, nums)
			expired, err := q.List(ctx, testLogin, FriendRequestExpired)
			require.NoError(t, err)
			require.Len(t, expired, 1)
			assert.Equal(t, "Bob", expired[0].NickName)
		})
		t.Run("numbers are per login", func(t *testing.T) {
			other := request("@alice9", "wxid_alice", "Alice", "v2_x@stranger")
			other.LoginID = "1000001"
			fr, err := q.Put(ctx, other)
			require.NoError(t, err)
			assert.Equal(t, 1, fr.Num)
			mine, err := q.Get(ctx, testLogin, 1)
			require.NoError(t, err)
			assert.Equal(t, "@alice2", mine.UserName, "the other login's request is a row of its own")
		})
		t.Run("unknown number", func(t *testing.T) {
			fr, err := q.Get(ctx, testLogin, 99)
			require.NoError(t, err)
			assert.Nil(t, fr)
			require.NoError(t, q.SetState(ctx, testLogin, 99, FriendRequestAccepted))
		})
	})
}

func TestFriendRequestHostileInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		q := db.FriendRequest
		tests := []struct {
			name    string
			mutate  func(fr *FriendRequest)
			wantErr error
		}{
			{"no login", func(fr *FriendRequest) { fr.LoginID = "" }, ErrInvalidLoginID},
			{"no UserName", func(fr *FriendRequest) { fr.UserName = "" }, ErrInvalidFriendRequest},
			{"NUL in UserName", func(fr *FriendRequest) { fr.UserName = "@a\x00" }, ErrInvalidUserName},
			{"no ticket", func(fr *FriendRequest) { fr.Ticket = "" }, ErrInvalidFriendRequest},
			{"huge ticket", func(fr *FriendRequest) { fr.Ticket = strings.Repeat("t", MaxTicketLen+1) }, ErrInvalidFriendRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fr := request("@x", "", "X", "v2_x@stranger")
				tt.mutate(fr)
				_, err := q.Put(ctx, fr)
				assert.ErrorIs(t, err, tt.wantErr)
			})
		}
		_, err := q.Get(ctx, "", 1)
		assert.ErrorIs(t, err, ErrInvalidLoginID)
		assert.ErrorIs(t, q.SetState(ctx, testLogin, 1, "maybe"), ErrInvalidFriendRequest)

		// Names and greeting are cut and cleaned, never refused; a broken
		// real id gives way to the UserName.
		fr := request("@mallory", "wxid\n", "<script>alert(1)</script>\x00", "v2_m@stranger")
		fr.SelfUserName = "@\xff"
		fr.Greeting = strings.Repeat("好", MaxFieldLen) + "\xff"
		fr.City = "'; DROP TABLE wechat_friend_request; --"
		stored, err := q.Put(ctx, fr)
		require.NoError(t, err)
		got, err := q.Get(ctx, testLogin, stored.Num)
		require.NoError(t, err)
		assert.Equal(t, "@mallory", got.Requester)
		assert.Empty(t, got.SelfUserName, "a broken self UserName is unknown")
		assert.Equal(t, "<script>alert(1)</script>", got.NickName)
		assert.LessOrEqual(t, len(got.Greeting), MaxFieldLen)
		assert.True(t, strings.HasPrefix(strings.Repeat("好", MaxFieldLen), got.Greeting))
		assert.Equal(t, "'; DROP TABLE wechat_friend_request; --", got.City)
	})
}

// TestFriendRequestUpgradeFromV1: a database made before friend requests
// gets the table on upgrade, with its other tables untouched.
func TestFriendRequestUpgradeFromV1(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		// Turn the database back into a v1 one: drop what the upgrade made
		// and set the version back.
		_, err := db.Exec(ctx, "DROP TABLE wechat_friend_request")
		require.NoError(t, err)
		_, err = db.Exec(ctx, "UPDATE "+VersionTable+" SET version=1, compat=1")
		require.NoError(t, err)
		_, err = db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a", "ann_wx", "", "Ann")})
		require.NoError(t, err)

		v1 := db.Child(VersionTable, upgrades.Table[:1], dbutil.ZeroLogger(testLogger(t)))
		require.NoError(t, v1.Upgrade(ctx), "v1 code runs on a v1 database")
		require.NoError(t, db.Upgrade(ctx))
		var version, compat int
		require.NoError(t, db.QueryRow(ctx, "SELECT version, compat FROM "+VersionTable).Scan(&version, &compat))
		assert.Equal(t, 2, version)
		assert.Equal(t, 1, compat, "v1 code still runs on the upgraded database")
		exists, err := db.TableExists(ctx, "wechat_friend_request")
		require.NoError(t, err)
		assert.True(t, exists)
		ident, err := db.Identity.GetByUserName(ctx, testLogin, "@a")
		require.NoError(t, err)
		assert.Equal(t, "ann_wx", ident.Alias)
		_, err = db.FriendRequest.Put(ctx, request("@b", "", "Bob", "v2_b@stranger"))
		require.NoError(t, err)
	})
}
