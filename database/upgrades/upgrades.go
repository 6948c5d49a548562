// Package upgrades holds the SQL schema of wxbridge's own tables (prefixed
// wechat_) as dbutil upgrade files: 00-latest-schema.sql creates the whole
// current schema, later NN-what.sql files move older databases forward.
package upgrades

import (
	"embed"

	"go.mau.fi/util/dbutil"
)

//go:embed *.sql
var rawUpgrades embed.FS

// Table is the upgrade table built from the embedded SQL files.
var Table dbutil.UpgradeTable

func init() {
	Table = dbutil.BuildUpgradeTable().WithFS(rawUpgrades).Finish()
}
