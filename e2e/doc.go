// Package e2e holds wxbridge's end-to-end tests: the real wxbridge binary,
// Dendrite v0.13.8 and the wechattest simulator, driven by a Matrix user
// (see package stack). Each test asserts what that user sees.
//
// Run them with `make e2e`, which builds the binaries into bin/ and points
// $WXBRIDGE_E2E_BIN at it. Without the binaries the tests skip, except
// with CI=true, where they fail.
package e2e
