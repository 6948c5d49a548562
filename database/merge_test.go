package database

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMerge(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		// Two identical profiles: after the re-login both get new PUIDs.
		first, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			userIn("@x1", "Wang Fang", 2, "Hubei", "Wuhan"),
			userIn("@y1", "Wang Fang", 2, "Hubei", "Wuhan"),
			user("@m1", "m", "", "M"),
			group("@@g1", "G", "@x1", "@m1"),
		})
		require.NoError(t, err)
		second, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			userIn("@x2", "Wang Fang", 2, "Hubei", "Wuhan"),
			userIn("@y2", "Wang Fang", 2, "Hubei", "Wuhan"),
			user("@m2", "m", "", "M"),
			group("@@g2", "G", "@x2", "@m2"),
		})
		require.NoError(t, err)
		oldX, _ := first.PUID("@x1")
		newX, _ := second.PUID("@x2")
		require.Equal(t, MatchNew, second.Get("@x2").Method)
		gPUID, _ := second.PUID("@@g2")
		mPUID, _ := second.PUID("@m2")

		// The admin says the new @x2 is the old x.
		require.NoError(t, db.Identity.Merge(ctx, testLogin, oldX, newX))

		dropped, err := db.Identity.GetByPUID(ctx, testLogin, newX)
		require.NoError(t, err)
		require.NotNil(t, dropped)
		assert.Equal(t, oldX, dropped.PUID, "lookups of the dropped PUID return the kept identity")
		assert.Equal(t, "@x2", dropped.UserName, "the current UserName moved to the kept identity")
		name, err := db.Identity.UserNameOf(ctx, testLogin, newX)
		require.NoError(t, err)
		assert.Equal(t, "@x2", name)
		byName, err := db.Identity.GetByUserName(ctx, testLogin, "@x2")
		require.NoError(t, err)
		assert.Equal(t, oldX, byName.PUID)
		members, err := db.Identity.Members(ctx, testLogin, gPUID)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{oldX, mPUID}, members, "memberships moved")

		list, err := db.Identity.List(ctx, testLogin)
		require.NoError(t, err)
		var mergedRow *Identity
		for _, s := range list {
			if s.PUID == newX {
				mergedRow = s
			}
		}
		require.NotNil(t, mergedRow)
		assert.Equal(t, oldX, mergedRow.MergedInto)
		assert.Empty(t, mergedRow.UserName)

		// Idempotent; a merged PUID is no candidate at the next login.
		require.NoError(t, db.Identity.Merge(ctx, testLogin, oldX, newX))
		third, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			userIn("@x3", "Wang Fang", 2, "Hubei", "Wuhan"),
		})
		require.NoError(t, err)
		assert.NotEqual(t, newX, third.Get("@x3").PUID)

		// Chains are followed: merge the kept one into yet another identity.
		oldY, _ := first.PUID("@y1")
		require.NoError(t, db.Identity.Merge(ctx, testLogin, oldY, oldX))
		final, err := db.Identity.GetByPUID(ctx, testLogin, newX)
		require.NoError(t, err)
		assert.Equal(t, oldY, final.PUID)
	})
}

func TestMergeRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		first, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{
			user("@a", "a", "", "A"), user("@b", "b", "", "B"), group("@@g", "G"),
		})
		require.NoError(t, err)
		_, err = db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@c", "c", "", "C")})
		require.NoError(t, err)
		a, _ := first.PUID("@a")
		b, _ := first.PUID("@b")
		g, _ := first.PUID("@@g")
		second, err := db.Identity.MapSession(ctx, testLogin, []SessionContact{user("@a2", "a", "", "A"), user("@d2", "", "", "D")})
		require.NoError(t, err)
		d, _ := second.PUID("@d2")
		unknown, err := NewPUID()
		require.NoError(t, err)

		tests := []struct {
			name       string
			keep, drop string
			wantErr    error
		}{
			{"same identity", a, a, ErrCannotMerge},
			{"user into group", g, b, ErrCannotMerge},
			{"both in the session", a, d, ErrCannotMerge},
			{"unknown keep", unknown, b, ErrUnknownPUID},
			{"unknown drop", a, unknown, ErrUnknownPUID},
			{"malformed PUID", a, "'; DROP TABLE wechat_identity; --", ErrInvalidPUID},
			{"empty PUID", "", b, ErrInvalidPUID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				require.ErrorIs(t, db.Identity.Merge(ctx, testLogin, tt.keep, tt.drop), tt.wantErr)
			})
		}
		require.NoError(t, db.Identity.Merge(ctx, testLogin, b, d))
		require.ErrorIs(t, db.Identity.Merge(ctx, testLogin, a, d), ErrAlreadyMerged)
	})
}
