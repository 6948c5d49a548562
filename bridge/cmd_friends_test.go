package bridge

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
)

func TestSplitLoginArg(t *testing.T) {
	own := []*bridgev2.UserLogin{
		{UserLogin: &database.UserLogin{ID: "2876543210"}},
		{UserLogin: &database.UserLogin{ID: "1111111111"}},
	}
	tests := []struct {
		name      string
		args      []string
		wantNamed string
		wantRest  []string
	}{
		{"number only", []string{"3"}, "", []string{"3"}},
		{"login and number", []string{"1111111111", "3"}, "1111111111", []string{"3"}},
		{"login and name", []string{"2876543210", "Wang", "Fang"}, "2876543210", []string{"Wang", "Fang"}},
		{"a login ID alone is what to accept", []string{"2876543210"}, "", []string{"2876543210"}},
		{"another user's login is part of the query", []string{"3333333333", "3"}, "", []string{"3333333333", "3"}},
		{"nothing", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			named, rest := splitLoginArg(tt.args, own)
			assert.Equal(t, tt.wantNamed, named)
			assert.Equal(t, tt.wantRest, rest)
		})
	}
}

func TestAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{47 * time.Hour, "47 hours ago"},
		{72 * time.Hour, "3 days ago"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ago(tt.d), "%v", tt.d)
	}
}

func TestMatchFriendRequests(t *testing.T) {
	list := []friendRequest{
		{req: &wxdb.FriendRequest{Num: 1, NickName: "Alice", Alias: "alice_wx"}},
		{req: &wxdb.FriendRequest{Num: 2, NickName: "Alicia"}},
		{req: &wxdb.FriendRequest{Num: 3, NickName: "Bob", Alias: "bobby"}},
		{req: &wxdb.FriendRequest{Num: 4, NickName: "Bob"}},
	}
	tests := []struct {
		name  string
		query string
		want  []int
	}{
		{"exact name beats a longer one", "alice", []int{1}},
		{"WeChat ID", "ALICE_WX", []int{1}},
		{"part of names", "ali", []int{1, 2}},
		{"a shared name", "bob", []int{3, 4}},
		{"part of a WeChat ID", "bbb", nil},
		{"nothing", "carol", nil},
		{"blank", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, m := range matchFriendRequests(list, tt.query) {
				got = append(got, m.req.Num)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAcceptOutcome(t *testing.T) {
	elsewhere := hints{prefix: "!wx"}
	tests := []struct {
		name      string
		err       error
		hints     hints
		wantText  string
		wantState wxdb.FriendRequestState
	}{
		{"accepted", nil, hints{}, "Accepted the friend request from Alice.", wxdb.FriendRequestAccepted},
		{"refused: expired", &wechat.RetError{Endpoint: "webwxverifyuser", Ret: -1}, hints{}, "(error -1): it has probably expired", wxdb.FriendRequestExpired},
		{"logged out", fmt.Errorf("call: %w", &wechat.RetError{Endpoint: "webwxverifyuser", Ret: wechat.RetSessionInvalid}), hints{}, "send `login`", wxdb.FriendRequestExpired},
		{"logged out, outside the management room", &wechat.RetError{Endpoint: "webwxverifyuser", Ret: wechat.RetSessionInvalid}, elsewhere, "send `!wx login` to connect", wxdb.FriendRequestExpired},
		{"too frequent", &wechat.RetError{Endpoint: "webwxverifyuser", Ret: wechat.RetTooFrequent}, hints{}, "Wait a minute, then send `accept-friend 1` again", wxdb.FriendRequestPending},
		{"too frequent, outside the management room", &wechat.RetError{Endpoint: "webwxverifyuser", Ret: wechat.RetTooFrequent}, elsewhere, "then send `!wx accept-friend 1` again", wxdb.FriendRequestPending},
		{"network", &wechat.HTTPError{Endpoint: "webwxverifyuser", Status: 502}, hints{}, "Could not reach WeChat", wxdb.FriendRequestPending},
		{"cancelled", context.Canceled, hints{}, "nothing changed. Send `accept-friend 1` again", wxdb.FriendRequestPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, state := acceptOutcome(tt.err, "Alice", tt.hints, "accept-friend 1")
			assert.Contains(t, text, tt.wantText)
			assert.Equal(t, tt.wantState, state)
		})
	}
}
