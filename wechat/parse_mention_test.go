package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseMentions(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"none", "hello", nil},
		{"u2005", "@Alice\u2005hello", []string{"Alice"}},
		{"u2005 with spaces in name", "@John Smith\u2005hi", []string{"John Smith"}},
		{"chinese", "你好@张三\u2005，看一下", []string{"张三"}},
		{"at end", "hello @Bob", []string{"Bob"}},
		{"space ends", "@Bob hello", []string{"Bob"}},
		{"several", "@A\u2005@B\u2005@C\u2005hi", []string{"A", "B", "C"}},
		{"duplicates removed", "@A\u2005x @A\u2005y", []string{"A"}},
		{"emoji name", "@🌸Lily\u2005hi", []string{"🌸Lily"}},
		{"e-mail is not a mention", "mail bob@example.com now", nil},
		{"e-mail then real mention", "bob@example.com @Carol\u2005", []string{"Carol"}},
		{"bare at", "@ hi", nil},
		{"at then u2005", "@\u2005hi", nil},
		{"newline ends", "@Dan\nnext line", []string{"Dan"}},
		{"mention all", "@所有人\u2005开会", []string{"所有人"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseMentions(tt.text))
		})
	}
}

func TestFindMentionsPositions(t *testing.T) {
	text := "hi @Alice\u2005and @Bob"
	got := FindMentions(text)
	assert.Equal(t, []Mention{
		{Name: "Alice", Start: 3, End: 9},
		{Name: "Bob", Start: 16, End: 20},
	}, got)
	for _, m := range got {
		assert.Equal(t, "@"+m.Name, text[m.Start:m.End])
	}
}
