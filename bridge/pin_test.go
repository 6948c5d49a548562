package bridge

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestPinInfo(t *testing.T) {
	tests := []struct {
		name string
		flag int
		want event.RoomTag
	}{
		{"friend", wechat.ContactFlagContact | 2, ""},
		{"pinned friend (OWC's 2051)", 2051, event.RoomTagFavourite},
		{"pinned group", wechat.ContactFlagContact | 2 | wechat.ContactFlagChatRoom | wechat.ContactFlagTop, event.RoomTagFavourite},
		{"muted, not pinned", wechat.ContactFlagContact | wechat.ContactFlagMute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := pinInfo(&wechat.Contact{ContactFlag: tt.flag})
			require.NotNil(t, info.Tag, "an unpinned chat says so, to take the favourite away")
			assert.Equal(t, tt.want, *info.Tag)
			assert.Nil(t, info.MutedUntil)
		})
	}
}

func TestDescribeWeChatError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"logged out", fmt.Errorf("x: %w", &wechat.RetError{Endpoint: "webwxoplog", Ret: 1101}), "WeChat signed the bridge out"},
		{"too frequent", &wechat.RetError{Endpoint: "webwxoplog", Ret: 1205}, "too many requests in a short time"},
		{"refused", &wechat.RetError{Endpoint: "webwxoplog", Ret: 1}, "it answered with error 1"},
		{"other", fmt.Errorf("dial tcp: refused"), "the request failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, describeWeChatError(tt.err))
		})
	}
}
