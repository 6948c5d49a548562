// Package stack runs a complete local wxbridge test stack: Dendrite v0.13.8
// as the homeserver, the real wxbridge binary as its appservice, and one or
// more in-process wechattest simulators as "WeChat", all on loopback in one
// directory.
//
// Start builds the stack from Options: it writes and edits the Dendrite and
// bridge configs (the bridge's with `wxbridge -e` and `-g`, as a person
// would), creates Matrix accounts with create-account, starts every process
// in its own process group with its output in a log file, and waits until
// Dendrite answers /versions and the bridge answers /_matrix/mau/ready.
// Close stops everything. StartTest does the same for a test, and on
// failure prints the tail of the bridge log and keeps the stack's dir
// (with $WXBRIDGE_E2E_KEEP set, also after a pass).
//
// User is a Matrix account driven by a test through mautrix.Client: it
// auto-joins invites from the bridge bot and ghosts, creates the management
// room, sends messages and waits for events. Waits read the room through
// /messages, /joined_members and /state rather than the /sync stream, which
// Dendrite was seen to leave incomplete once.
//
// Nio is the user's own device with end-to-end encryption: matrix-nio with
// libolm (e2e/nio/driver.py, run by Debian's python3), driven over JSON
// lines, for the tests of encrypted rooms (Options.Encryption turns the
// bridge's encryption on as Dendrite needs it). StartNioTest starts it for a
// test; WaitEvents and Count read the timeline it decrypted.
//
// The binaries come from a directory (Options.Bin, else $WXBRIDGE_E2E_BIN)
// holding wxbridge, dendrite, generate-keys, generate-config and
// create-account; `make e2e` builds them into bin/.
package stack
