package bridge

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/wechat"
)

func mentionRoster() *roster {
	return newRoster(&wechat.Roster{
		Self: wechat.Contact{UserName: "@self", NickName: "Me"},
		Contacts: []wechat.Contact{
			{UserName: "@bob", NickName: "Bob", RemarkName: "Bobby"},
			{UserName: "@@fam", NickName: "Family", MemberList: []wechat.Member{
				{UserName: "@self", NickName: "Me", DisplayName: "Mum"},
				{UserName: "@bob", NickName: "Bob"},
				{UserName: "@erin", NickName: "Erin", DisplayName: "E"},
				{UserName: "@fake", NickName: "E"}, // nickname equal to erin's group name
			}},
		},
	}, nil, nil)
}

func TestMemberNamed(t *testing.T) {
	r := mentionRoster()
	tests := []struct {
		name, group, mention, want string
	}{
		{"group nickname", "@@fam", "Mum", "@self"},
		{"own nickname", "@@fam", "Bob", "@bob"},
		{"remark name", "@@fam", "Bobby", "@bob"},
		{"group nickname wins over someone's nickname", "@@fam", "E", "@erin"},
		{"nobody", "@@fam", "Zed", ""},
		{"unknown group", "@@other", "Bob", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, r.memberNamed(tt.group, tt.mention))
		})
	}
}

func TestMentionName(t *testing.T) {
	r := mentionRoster()
	assert.Equal(t, "E", r.mentionName("@@fam", "@erin"), "the group nickname, as the phone inserts it")
	assert.Equal(t, "Bob", r.mentionName("@@fam", "@bob"))
	assert.Equal(t, "", r.mentionName("@@fam", "@nobody"))
}

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
