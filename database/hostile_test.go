package database

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapHostileInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		huge := strings.Repeat("名", 400_000) // 1.2 MB
		res, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			{UserName: ""},
			{UserName: "@bad\xff\xfe"},
			{UserName: "@" + strings.Repeat("a", MaxUserNameLen)},
			{UserName: "@nul\x00"},
			{UserName: "@notgroup", MemberUserNames: []string{"@x"}},
			{UserName: "@@badmember", Group: true, MemberUserNames: []string{""}},
			{UserName: "@huge", NickName: huge, RemarkName: "\xff\xfe broken \x00 remark", City: "'; DROP TABLE wechat_identity; --"},
			{UserName: "@dup", NickName: "first"},
			{UserName: "@dup", NickName: "second"},
			{UserName: "filehelper", NickName: "File Transfer"},
			{UserName: "@emoji", NickName: `<span class="emoji emoji1f600"></span>😀 ` + "\u202e"},
		})
		require.NoError(t, err)
		rejected := map[int]error{}
		for _, r := range res.Rejected {
			rejected[r.Index] = r.Err
		}
		require.Len(t, rejected, 6)
		for i := range 4 {
			assert.ErrorIs(t, rejected[i], ErrInvalidUserName, "index %d", i)
		}
		assert.ErrorIs(t, rejected[4], ErrInvalidContact)
		assert.ErrorIs(t, rejected[5], ErrInvalidContact)
		assert.ErrorIs(t, rejected[5], ErrInvalidUserName)
		assert.Equal(t, 1, res.Duplicates)
		assert.Len(t, res.Contacts, 4)

		ident, err := db.Identity.GetByUserName(ctx, testLogin, "@huge")
		require.NoError(t, err)
		require.NotNil(t, ident)
		assert.LessOrEqual(t, len(ident.NickName), MaxFieldLen)
		assert.True(t, strings.HasPrefix(huge, ident.NickName))
		assert.True(t, utf8.ValidString(ident.RemarkName))
		assert.Equal(t, "\uFFFD broken  remark", ident.RemarkName)
		assert.Equal(t, "'; DROP TABLE wechat_identity; --", ident.City)

		dup, err := db.Identity.GetByUserName(ctx, testLogin, "@dup")
		require.NoError(t, err)
		assert.Equal(t, "second", dup.NickName, "the last duplicate wins")
		emoji, err := db.Identity.GetByUserName(ctx, testLogin, "@emoji")
		require.NoError(t, err)
		assert.Equal(t, `<span class="emoji emoji1f600"></span>😀 `+"\u202e", emoji.NickName)

		// The same contacts again resolve to the same PUIDs.
		again, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{{UserName: "@huge", NickName: huge}})
		require.NoError(t, err)
		assert.Equal(t, ident.PUID, again.Get("@huge").PUID)
	})
}

func TestInvalidArguments(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		_, err := db.Identity.MapSession(ctx, "", nil)
		assert.ErrorIs(t, err, ErrInvalidLoginID)
		_, err = db.Identity.MapSession(ctx, "1\xff", nil)
		assert.ErrorIs(t, err, ErrInvalidLoginID)
		_, err = db.Identity.MapSession(ctx, strings.Repeat("9", MaxLoginIDLen+1), nil)
		assert.ErrorIs(t, err, ErrInvalidLoginID)
		_, err = db.Identity.MapOne(ctx, testLogin, SessionContact{UserName: "@\xff"})
		assert.ErrorIs(t, err, ErrInvalidUserName)
		_, err = db.Identity.MapOne(ctx, testLogin, SessionContact{UserName: "@@big", Group: true, MemberUserNames: make([]string, MaxMembers+1)})
		assert.ErrorIs(t, err, ErrTooManyMembers)
		_, err = db.Identity.GetByUserName(ctx, testLogin, "\x00")
		assert.ErrorIs(t, err, ErrInvalidUserName)
		_, err = db.Identity.GetByPUID(ctx, testLogin, "not a puid")
		assert.ErrorIs(t, err, ErrInvalidPUID)
		_, err = db.Identity.UserNameOf(ctx, testLogin, strings.Repeat("A", PUIDLen))
		assert.ErrorIs(t, err, ErrInvalidPUID)
		_, err = db.Identity.List(ctx, "")
		assert.ErrorIs(t, err, ErrInvalidLoginID)

		// Well-formed but unknown: no row, no error.
		puid, err := NewPUID()
		require.NoError(t, err)
		ident, err := db.Identity.GetByPUID(ctx, testLogin, puid)
		assert.NoError(t, err)
		assert.Nil(t, ident)
		name, err := db.Identity.UserNameOf(ctx, testLogin, puid)
		assert.NoError(t, err)
		assert.Empty(t, name)
		ident, err = db.Identity.GetByUserName(ctx, testLogin, "@nobody")
		assert.NoError(t, err)
		assert.Nil(t, ident)

		// An empty snapshot is valid: it only clears the session's UserNames.
		res, err := db.Identity.MapSession(ctx, testLogin, nil)
		require.NoError(t, err)
		assert.Empty(t, res.Contacts)
	})
}

func TestPUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		p, err := NewPUID()
		require.NoError(t, err)
		require.Len(t, p, PUIDLen)
		require.True(t, ValidPUID(p), p)
		require.False(t, seen[p])
		seen[p] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("a", PUIDLen+1), strings.Repeat("A", PUIDLen), "aaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaa_", "aaaaaaaaaaaaaaa\xff"} {
		assert.False(t, ValidPUID(bad), "%q", bad)
	}
}
