package main

import (
	"fmt"
	"strings"
	"text/template"
	_ "unsafe" // for go:linkname

	"maunium.net/go/mautrix/bridgev2/matrix/mxmain"
)

// mxmain renders the example config (`wxbridge -e`) from a template it
// parses when the package is initialised, and that template names
// PostgreSQL as the database. wxbridge defaults to SQLite, so that one file
// and no database server is all a small install needs: the template is
// re-parsed here with the database section changed. The replaced lines are
// checked, so a mautrix upgrade that moves them fails at start, not silently.
//
//go:linkname mxmainExampleTemplate maunium.net/go/mautrix/bridgev2/matrix/mxmain.matrixExampleConfigBaseTemplate
var mxmainExampleTemplate *template.Template

// sqliteDefaults are the database lines of mxmain's example config and ours.
var sqliteDefaults = [][2]string{
	{"    type: postgres\n", "    type: sqlite3-fk-wal\n"},
	{"    uri: postgres://user:password@host/database?sslmode=disable\n", "    uri: file:wxbridge.db?_txlock=immediate\n"},
}

func init() {
	base := mxmain.MatrixExampleConfigBase
	for _, r := range sqliteDefaults {
		if strings.Count(base, r[0]) != 1 {
			panic(fmt.Sprintf("wxbridge: mxmain's example config no longer has %q once", strings.TrimSpace(r[0])))
		}
		base = strings.Replace(base, r[0], r[1], 1)
	}
	mxmainExampleTemplate = template.Must(template.New("example-config.yaml").Delims("$<<", ">>").Parse(base))
}
