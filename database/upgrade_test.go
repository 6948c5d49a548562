package database

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpgrade(t *testing.T) {
	forEachDB(t, func(t *testing.T, ctx context.Context, db *Database) {
		var version, compat int
		require.NoError(t, db.QueryRow(ctx, "SELECT version, compat FROM "+VersionTable).Scan(&version, &compat))
		assert.Equal(t, 2, version)
		assert.Equal(t, 1, compat)
		for _, table := range []string{"wechat_identity", "wechat_identity_member", "wechat_inbox", "wechat_session", "wechat_friend_request"} {
			exists, err := db.TableExists(ctx, table)
			require.NoError(t, err)
			assert.True(t, exists, table)
		}
		// A second start finds the schema up to date.
		require.NoError(t, db.Upgrade(ctx))
	})
}
