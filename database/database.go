// Package database holds wxbridge's own tables, next to the ones bridgev2
// keeps: the identity layer that gives every WeChat contact and group a
// permanent PUID although Web WeChat renames them all at every login, the
// durable inbox that lets a sync advance only once its messages are stored,
// and the Web WeChat session stored with them.
//
// The tables are prefixed wechat_ and live in a dbutil child database with its
// own version table (wechat_version); call Upgrade at start-up. The package
// imports only dbutil and the standard library (plus zerolog for logging):
// wechat/ and bridge/ pass plain values in and get plain values out.
package database

import (
	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"

	"github.com/wxbridge/wxbridge/database/upgrades"
)

// VersionTable is the name of our schema version table.
const VersionTable = "wechat_version"

// Database is wxbridge's child database with a query type per concern.
type Database struct {
	*dbutil.Database

	Identity      *IdentityQuery
	Inbox         *InboxQuery
	Session       *SessionQuery
	FriendRequest *FriendRequestQuery
}

// New wraps parent (normally the bridge's main database) in a child database
// with its own version table and upgrade table. It does no I/O: run
// db.Upgrade(ctx) before use.
func New(parent *dbutil.Database, log zerolog.Logger) *Database {
	db := parent.Child(VersionTable, upgrades.Table, dbutil.ZeroLogger(log))
	session := &SessionQuery{db: db}
	return &Database{
		Database: db,
		Identity: &IdentityQuery{
			QueryHelper: dbutil.MakeQueryHelper(db, func(*dbutil.QueryHelper[*Identity]) *Identity { return &Identity{} }),
		},
		Inbox: &InboxQuery{
			QueryHelper: dbutil.MakeQueryHelper(db, func(*dbutil.QueryHelper[*InboxItem]) *InboxItem { return &InboxItem{} }),
			session:     session,
		},
		Session: session,
		FriendRequest: &FriendRequestQuery{
			QueryHelper: dbutil.MakeQueryHelper(db, func(*dbutil.QueryHelper[*FriendRequest]) *FriendRequest { return &FriendRequest{} }),
		},
	}
}
