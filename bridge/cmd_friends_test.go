package bridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"maunium.net/go/mautrix/bridgev2"
	bridgedb "maunium.net/go/mautrix/bridgev2/database"
)

func TestSplitLoginArg(t *testing.T) {
	own := []*bridgev2.UserLogin{
		{UserLogin: &bridgedb.UserLogin{ID: "2876543210"}},
		{UserLogin: &bridgedb.UserLogin{ID: "1111111111"}},
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
