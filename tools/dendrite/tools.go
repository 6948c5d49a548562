//go:build tools

// Package dendrite pins the Matrix homeserver that the end-to-end tests run
// the bridge against: Dendrite v0.13.8, the last release under Apache-2.0
// (later ones are AGPL, which the project must not depend on). It is its own
// module because Dendrite pins an older mautrix-go than the bridge. Build it
// with `make dendrite`.
package dendrite

import (
	_ "github.com/matrix-org/dendrite/cmd/create-account"
	_ "github.com/matrix-org/dendrite/cmd/dendrite"
	_ "github.com/matrix-org/dendrite/cmd/generate-config"
	_ "github.com/matrix-org/dendrite/cmd/generate-keys"
)
