package bridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	wxdb "github.com/wxbridge/wxbridge/database"
)

func TestParseIdentitiesArgs(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantLogin  string
		wantSearch string
	}{
		{"nothing", nil, "", ""},
		{"login only", []string{"2876543210"}, "2876543210", ""},
		{"login and search", []string{"2876543210", "Wang", "Fang"}, "2876543210", "Wang Fang"},
		{"search only", []string{"Wang", "Fang"}, "", "Wang Fang"},
		{"digits after a word are search text", []string{"Wang", "123"}, "", "Wang 123"},
		{"zero is no uin", []string{"0"}, "", "0"},
		{"PUID is search text", []string{"abcdefghijkmnopq"}, "", "abcdefghijkmnopq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			login, search := parseIdentitiesArgs(tt.args)
			assert.Equal(t, tt.wantLogin, login)
			assert.Equal(t, tt.wantSearch, search)
		})
	}
}

func TestFormatIdentities(t *testing.T) {
	seen := time.Date(2025, 3, 4, 22, 0, 0, 0, time.UTC)
	list := []*wxdb.Identity{
		{PUID: puidB, Kind: wxdb.KindGroup, NickName: "Family", LastSeen: seen},
		{PUID: puidD, Kind: wxdb.KindUser, LastSeen: seen},
		{PUID: puidC, Kind: wxdb.KindUser, NickName: "Li *Lei*", MergedInto: puidA, LastSeen: seen},
		{PUID: puidA, Kind: wxdb.KindUser, UserName: "@a", RemarkName: "Boss", NickName: "Li *Lei*", Alias: "lilei", LastSeen: seen},
	}
	tests := []struct {
		name   string
		list   []*wxdb.Identity
		search string
		limit  int
		want   string
	}{
		{"all, by name, nameless last", list, "", 50, "Login `42` has 4 identities:\n" +
			"\n* `aaaaaaaaaaaaaaaa` contact **Boss** (nickname Li \\*Lei\\*, WeChat ID lilei): in this session" +
			"\n* `bbbbbbbbbbbbbbbb` group **Family**: not in this session, last seen 2025-03-04" +
			"\n* `cccccccccccccccc` contact **Li \\*Lei\\***: merged into `aaaaaaaaaaaaaaaa`" +
			"\n* `dddddddddddddddd` contact _(no name)_: not in this session, last seen 2025-03-04"},
		{"search in names, any case", list, "LEI", 50, "2 of the 4 identities of login `42` match “LEI”:\n" +
			"\n* `aaaaaaaaaaaaaaaa` contact **Boss** (nickname Li \\*Lei\\*, WeChat ID lilei): in this session" +
			"\n* `cccccccccccccccc` contact **Li \\*Lei\\***: merged into `aaaaaaaaaaaaaaaa`"},
		{"search a PUID", list, puidB, 50, "1 of the 4 identities of login `42` match “bbbbbbbbbbbbbbbb”:\n" +
			"\n* `bbbbbbbbbbbbbbbb` group **Family**: not in this session, last seen 2025-03-04"},
		{"capped", list, "", 2, "Login `42` has 4 identities:\n" +
			"\n* `aaaaaaaaaaaaaaaa` contact **Boss** (nickname Li \\*Lei\\*, WeChat ID lilei): in this session" +
			"\n* `bbbbbbbbbbbbbbbb` group **Family**: not in this session, last seen 2025-03-04" +
			"\n\n… and 2 more: narrow the search with `!wx identities 42 <text>`."},
		{"no match", list, "[x](y)", 50, "None of the 4 identities of login `42` matches “\\[x\\]\\(y\\)”."},
		{"empty", nil, "", 50, "Login `42` has no identities yet: they are created when it loads its WeChat contacts."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, formatIdentities("42", tt.list, tt.search, tt.limit, hints{prefix: "!wx"}))
		})
	}
}
