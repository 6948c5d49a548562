// Package scenarios holds the scenarios of the wxbridge benchmark suite
// (go run -tags goolm ./bench) and the machinery they share: a stack of
// Dendrite, the real wxbridge binary and the WeChat simulator on loopback
// (e2e/stack), a /sync consumer that timestamps what the Matrix user sees, a
// proxy between Dendrite and the bridge that timestamps appservice
// transactions, a plain appservice client that sends the same events
// straight to Dendrite as the ghosts (the baseline), logins through the
// provisioning API, and /proc readers for the bridge's memory.
//
// Every timing is taken by this process: the simulator runs in it, so an
// injection, a request the simulator receives, a transaction the proxy
// forwards and an event the /sync consumer sees share one clock. Every
// figure comes with a baseline measured in the same run on the same
// machine, so that the result reads as a ratio or an overhead rather than
// as an absolute number of a machine nobody else has.
//
// The scenarios take their sizes from their Config, so that the end-to-end
// smoke test (e2e/bench_smoke_test.go) runs them with small numbers and the
// tool cannot rot.
package scenarios
