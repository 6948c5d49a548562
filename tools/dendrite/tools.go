//go:build tools

// Package dendrite pins the Matrix homeserver that the end-to-end tests run
// the bridge against: Dendrite v0.15.2. It is its own module because
// Dendrite pins an older mautrix-go than the bridge. Build it with
// `make dendrite`.
package dendrite

import (
	_ "github.com/element-hq/dendrite/cmd/create-account"
	_ "github.com/element-hq/dendrite/cmd/dendrite"
	_ "github.com/element-hq/dendrite/cmd/generate-config"
	_ "github.com/element-hq/dendrite/cmd/generate-keys"
)
