// Package conformance certifies the WeChat simulator (wechat/wechattest)
// with a real third-party client: unmodified openwechat v1.4.10, a Go
// library that logs in to the real Web WeChat server.
//
// It is its own module so that openwechat stays out of the bridge's
// go.mod; a replace directive points at the bridge's module, whose
// simulator the tests start in process. The tests (`make conformance`,
// part of `make test`) run openwechat's own code paths against the
// simulator: desktop-mode QR login, hot login, push login, contacts,
// receiving every message kind, sending text and a chunked image,
// revoking, and the session ending with 1101. Whatever openwechat does
// that the real server accepts, the simulator must accept too; where
// openwechat has a known bug, it gets what the real server gives it.
//
// openwechat talks to hard-coded https hosts (wx.qq.com, login.wx.qq.com,
// file. and webpush. of its domain). Transport sends every request to the
// simulator over plain http while the URL and the Host header keep the
// real host, so openwechat's cookie jar and host selection work as they
// would against WeChat.
package conformance
