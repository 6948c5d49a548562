package wechat

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadBody(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		announced int64 // Content-Length; -1 when the server does not say
		limit     int64
		want      string
		wantErr   bool
	}{
		{name: "announced length", body: `{"BaseResponse":{"Ret":0}}`, announced: 26, limit: 1 << 10, want: `{"BaseResponse":{"Ret":0}}`},
		{name: "unknown length", body: "hello", announced: -1, limit: 1 << 10, want: "hello"},
		{name: "shorter than announced", body: "hel", announced: 5, limit: 1 << 10, wantErr: true},
		{name: "announced over the limit is read up to limit+1", body: strings.Repeat("x", 20), announced: 20, limit: 10, want: strings.Repeat("x", 11)},
		{name: "announced beyond the presized bound is read as it comes", body: "short", announced: maxPresizedBody + 1, limit: 64 << 20, want: "short"},
		{name: "unknown length over the limit", body: strings.Repeat("x", 20), announced: -1, limit: 10, want: strings.Repeat("x", 11)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{ContentLength: tt.announced, Body: io.NopCloser(strings.NewReader(tt.body))}
			got, err := readBody(resp, tt.limit)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestCompactMembers(t *testing.T) {
	in := make([]Member, 3, 8)
	for i := range in {
		in[i] = Member{UserName: "@m" + string(rune('a'+i)), NickName: "Nick", DisplayName: "In group", AttrStatus: 7}
	}
	out := compactMembers(in)
	assert.Equal(t, in, out)
	assert.Equal(t, 3, cap(out), "the copy is exactly as long as the list")
	assert.Nil(t, compactMembers(nil))
}
