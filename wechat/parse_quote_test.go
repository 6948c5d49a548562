package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const quoteDivider = "- - - - - - - - - - - - - - -"

func TestParseQuote(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		want   *Quote
		wantOK bool
	}{
		{
			"phone form",
			"「Alice：are you coming?」\n" + quoteDivider + "\nyes",
			&Quote{Name: "Alice", Quoted: "are you coming?", Reply: "yes"},
			true,
		},
		{
			"multi-line quote and reply",
			"「Bob：line 1\nline 2」\n" + quoteDivider + "\nok\nsee you",
			&Quote{Name: "Bob", Quoted: "line 1\nline 2", Reply: "ok\nsee you"},
			true,
		},
		{
			"ascii colon",
			"「Carol: hi」\n- - - - -\nhello",
			&Quote{Name: "Carol", Quoted: "hi", Reply: "hello"},
			true,
		},
		{
			"fullwidth colon wins over ascii",
			"「Dan：see http://example.com」\n" + quoteDivider + "\nthanks",
			&Quote{Name: "Dan", Quoted: "see http://example.com", Reply: "thanks"},
			true,
		},
		{
			"no colon",
			"「[图片]」\n" + quoteDivider + "\nnice",
			&Quote{Name: "", Quoted: "[图片]", Reply: "nice"},
			true,
		},
		{
			"dashes without spaces and trailing space",
			"「E：x」\n-------- \ny",
			&Quote{Name: "E", Quoted: "x", Reply: "y"},
			true,
		},
		{
			"closing bracket inside quote",
			"「F：a」\nb」\n" + quoteDivider + "\nc",
			&Quote{Name: "F", Quoted: "a」\nb", Reply: "c"},
			true,
		},
		{
			"empty reply",
			"「G：x」\n" + quoteDivider,
			&Quote{Name: "G", Quoted: "x", Reply: ""},
			true,
		},
		{"not at start", "hi 「A：x」\n" + quoteDivider + "\ny", nil, false},
		{"no divider", "「A：x」\ny", nil, false},
		{"short divider", "「A：x」\n- -\ny", nil, false},
		{"divider with text", "「A：x」\n- - - - a\ny", nil, false},
		{"no closing bracket", "「A：x\n" + quoteDivider + "\ny", nil, false},
		{"only bracket", "「", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseQuote(tt.text)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
