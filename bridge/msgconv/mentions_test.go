package msgconv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// mentionContacts are a session's contacts: a family group in which one
// member's nickname equals another's group nickname.
func mentionContacts() map[string]*wechat.Contact {
	contacts := map[string]*wechat.Contact{}
	for _, ct := range []wechat.Contact{
		{UserName: "@self", NickName: "Me"},
		{UserName: "@bob", NickName: "Bob", RemarkName: "Bobby"},
		{UserName: "@@fam", NickName: "Family", MemberList: []wechat.Member{
			{UserName: "@self", NickName: "Me", DisplayName: "Mum"},
			{UserName: "@bob", NickName: "Bob"},
			{UserName: "@erin", NickName: "Erin", DisplayName: "E"},
			{UserName: "@fake", NickName: "E"}, // nickname equal to erin's group name
		}},
	} {
		contacts[ct.UserName] = &ct
	}
	return contacts
}

func TestMemberNamed(t *testing.T) {
	contacts := mentionContacts()
	remarkName := func(userName string) string {
		if ct, ok := contacts[userName]; ok {
			return ct.RemarkName
		}
		return ""
	}
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
			assert.Equal(t, tt.want, msgconv.MemberNamed(contacts[tt.group], tt.mention, remarkName))
		})
	}
}

func TestMentionName(t *testing.T) {
	contacts := mentionContacts()
	mentionName := func(group, userName string) string {
		var member *wechat.Member
		for i, m := range contacts[group].MemberList {
			if m.UserName == userName {
				member = &contacts[group].MemberList[i]
			}
		}
		return msgconv.MentionName(member, contacts[userName])
	}
	assert.Equal(t, "E", mentionName("@@fam", "@erin"), "the group nickname, as the phone inserts it")
	assert.Equal(t, "Bob", mentionName("@@fam", "@bob"))
	assert.Equal(t, "", mentionName("@@fam", "@nobody"))
}
