package bridge

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

func TestParseMergeArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantLogin string
		wantKeep  string
		wantDrop  string
		wantErr   error
	}{
		{"default login", []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"}, "", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", nil},
		{"named login", []string{"42", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"}, "42", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", nil},
		{"pasted code spans", []string{"42", "`aaaaaaaaaaaaaaaa`", "BBBBBBBBBBBBBBBB"}, "42", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", nil},
		{"one PUID", []string{"aaaaaaaaaaaaaaaa"}, "", "", "", errMergeUsage},
		{"too many", []string{"42", "a", "b", "c"}, "", "", "", errMergeUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			login, keep, drop, err := parseMergeArgs(tt.args)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantLogin, login)
			assert.Equal(t, tt.wantKeep, keep)
			assert.Equal(t, tt.wantDrop, drop)
		})
	}
}

// mergeErr wraps an identity-layer error the way IdentityQuery.Merge does.
func mergeErr(sentinel error) error {
	return fmt.Errorf("database: merge %s into %s: %w", puidB, puidA, fmt.Errorf("%w: details", sentinel))
}

func TestMergeErrorText(t *testing.T) {
	liveA := &wxdb.Identity{PUID: puidA, Kind: wxdb.KindUser, UserName: "@a", NickName: "Ann"}
	liveB := &wxdb.Identity{PUID: puidB, Kind: wxdb.KindUser, UserName: "@b", NickName: "Ann"}
	offB := &wxdb.Identity{PUID: puidB, Kind: wxdb.KindUser}
	groupB := &wxdb.Identity{PUID: puidB, Kind: wxdb.KindGroup}
	bMergedIntoC := &wxdb.Identity{PUID: puidC, Kind: wxdb.KindUser}
	aMergedIntoB := &wxdb.Identity{PUID: puidB, Kind: wxdb.KindUser}
	tests := []struct {
		name       string
		err        error
		keep, drop *wxdb.Identity
		want       []string
		unchanged  bool
	}{
		{"malformed", mergeErr(wxdb.ErrInvalidPUID), liveA, offB, []string{"malformed", "`!wx identities 42`"}, true},
		{"unknown", mergeErr(wxdb.ErrUnknownPUID), liveA, offB, []string{"no longer an identity of login `42`"}, true},
		{"already merged elsewhere", mergeErr(wxdb.ErrAlreadyMerged), liveA, bMergedIntoC,
			[]string{"`bbbbbbbbbbbbbbbb` was merged into `cccccccccccccccc` earlier", "cannot be undone",
				"`!wx merge-identities 42 aaaaaaaaaaaaaaaa cccccccccccccccc`"}, true},
		{"already one identity", mergeErr(wxdb.ErrCannotMerge), aMergedIntoB, offB,
			[]string{"already one identity (`bbbbbbbbbbbbbbbb`)", "nothing to merge"}, false},
		{"contact and group", mergeErr(wxdb.ErrCannotMerge), liveA, groupB,
			[]string{"`aaaaaaaaaaaaaaaa` is a contact and `bbbbbbbbbbbbbbbb` a group", "two contacts or two groups"}, true},
		{"both in the session", mergeErr(wxdb.ErrCannotMerge), liveA, liveB,
			[]string{"`aaaaaaaaaaaaaaaa` (Ann) and `bbbbbbbbbbbbbbbb` (Ann) are both in the current WeChat session",
				"two different contacts", "“in this session”"}, true},
		{"refused for another reason", mergeErr(wxdb.ErrCannotMerge), liveA, offB,
			[]string{"refused to merge", "retry"}, true},
		{"loop", mergeErr(wxdb.ErrMergeChainLoop), liveA, offB, []string{"loops", "report"}, true},
		{"interrupted", fmt.Errorf("database: merge: %w", context.DeadlineExceeded), liveA, offB, []string{"interrupted", "Try again"}, true},
		{"database failure", errors.New("disk I/O error"), liveA, offB, []string{"database failed", "Try again"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeErrorText(tt.err, "42", puidA, puidB, tt.keep, tt.drop, hints{prefix: "!wx"})
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			if tt.unchanged {
				assert.Contains(t, got, "Nothing was changed.")
			} else {
				assert.NotContains(t, got, "Nothing was changed.")
			}
			assert.NotContains(t, got, "database: ", "no raw error text for the user")
		})
	}
}

func TestDescribeReID(t *testing.T) {
	tests := []struct {
		result bridgev2.ReIDResult
		want   string
	}{
		{bridgev2.ReIDResultNoOp, "had no portal, so no room had to move"},
		{bridgev2.ReIDResultSourceDeleted, "portal without a Matrix room; it was removed"},
		{bridgev2.ReIDResultSourceReIDd, "the room of `bbbbbbbbbbbbbbbb` is now the room of `aaaaaaaaaaaaaaaa`"},
		{bridgev2.ReIDResultTargetDeletedAndSourceReIDd, "`aaaaaaaaaaaaaaaa` only had a portal without a room"},
		{bridgev2.ReIDResultSourceTombstonedIntoTarget, "both had a room"},
		{bridgev2.ReIDResultError, "`!wx merge-identities 42 aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb` again"},
	}
	for _, tt := range tests {
		t.Run(tt.result.String(), func(t *testing.T) {
			assert.Contains(t, describeReID(tt.result, puidB, puidA, "42", hints{prefix: "!wx"}), tt.want)
		})
	}
}

func TestDescribeAftermath(t *testing.T) {
	tests := []struct {
		name     string
		kind     wxdb.Kind
		resynced int
		want     []string
		notWant  string
	}{
		{"contact, offline login", wxdb.KindUser, -1, []string{"Ghost: the Matrix user of `bbbbbbbbbbbbbbbb` stays", "not connected"}, ""},
		{"contact, resynced", wxdb.KindUser, 3, []string{"Re-synced 3 room(s), which swaps the old user"}, ""},
		{"group, not in session", wxdb.KindGroup, 0, []string{"No room needed a re-sync"}, "Ghost"},
		{"group, resynced", wxdb.KindGroup, 1, []string{"Re-synced 1 room(s)."}, "Ghost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeAftermath(tt.kind, puidB, puidA, tt.resynced)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			if tt.notWant != "" {
				assert.NotContains(t, got, tt.notWant)
			}
		})
	}
}

func TestNoteMergedMovesUserName(t *testing.T) {
	c := &WeChatClient{roster: newRoster(&wechat.Roster{Contacts: []wechat.Contact{{UserName: "@x2", NickName: "X"}}},
		&wxdb.Resolution{Contacts: []wxdb.Resolved{{UserName: "@x2", PUID: puidB}}}, nil)}
	c.noteMerged(&wxdb.Identity{PUID: puidA, Kind: wxdb.KindUser, UserName: "@x2"})
	puid, ok := c.roster.puid("@x2")
	require.True(t, ok)
	assert.Equal(t, puidA, puid)
	name, ok := c.roster.userName(puidA)
	require.True(t, ok)
	assert.Equal(t, "@x2", name)
	_, ok = c.roster.userName(puidB)
	assert.False(t, ok, "the dropped PUID no longer has a UserName")
	require.NotNil(t, c.roster.contactByPUID(puidA))

	// A kept identity that is not in the session changes nothing.
	c.noteMerged(&wxdb.Identity{PUID: puidC, Kind: wxdb.KindUser})
	_, ok = c.roster.userName(puidC)
	assert.False(t, ok)
	// No session at all: nothing to do, no panic.
	(&WeChatClient{}).noteMerged(&wxdb.Identity{PUID: puidA, UserName: "@x2"})
}
