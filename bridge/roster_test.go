package bridge

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestChatsToSync(t *testing.T) {
	r := newRoster(&wechat.Roster{Contacts: []wechat.Contact{
		{UserName: "@alice", ContactFlag: wechat.ContactFlagContact},
		{UserName: "@news", VerifyFlag: wechat.VerifyFlagBizBrand},
		{UserName: "@@b"}, {UserName: "@@a"},
		{UserName: "newsapp"},
	}}, nil, &wechat.InitResult{ChatSet: []string{"@news", "@alice", "newsapp", "@@b"}})
	assert.Equal(t, []string{"@alice", "@@b", "@@a", wechat.FileHelper}, r.chatsToSync(false))
	assert.Equal(t, []string{"@news", "@alice", "@@b", "@@a", wechat.FileHelper}, r.chatsToSync(true))
}
