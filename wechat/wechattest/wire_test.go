package wechattest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// The wire types write the fields the client does not decode, once each,
// and the client still reads what it needs from them.
func TestWireContactWritesEveryField(t *testing.T) {
	c := wireContact{
		Contact:    wechat.Contact{UserName: "@@g", NickName: "Group", MemberCount: 1},
		MemberList: []wireMember{{Member: wechat.Member{UserName: "@a", NickName: "Alice", DisplayName: "Al"}, PYQuanPin: "alice", PYInitial: "ALICE", KeyWord: "wxi"}},
	}
	data, err := json.Marshal(batchContactAnswer{BatchContactResponse: wechat.BatchContactResponse{Count: 1}, ContactList: []wireContact{c}})
	require.NoError(t, err)

	var raw struct {
		ContactList []map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	require.Len(t, raw.ContactList, 1)
	var members []map[string]any
	require.NoError(t, json.Unmarshal(raw.ContactList[0]["MemberList"], &members))
	require.Len(t, members, 1)
	for _, key := range []string{"UserName", "NickName", "DisplayName", "PYQuanPin", "PYInitial", "RemarkPYInitial", "RemarkPYQuanPin", "KeyWord", "AttrStatus", "MemberStatus", "Uin"} {
		assert.Contains(t, members[0], key)
	}
	assert.Equal(t, "alice", members[0]["PYQuanPin"])

	var got wechat.BatchContactResponse
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got.ContactList, 1)
	assert.Equal(t, []wechat.Member{{UserName: "@a", NickName: "Alice", DisplayName: "Al"}}, got.ContactList[0].MemberList)
}
