// Package wechattest is a strict, programmable fake of the Web WeChat
// ("webwx") server.
//
// It serves every endpoint the bridge uses (login, session bootstrap,
// contacts, the synccheck/webwxsync loop, sending, uploads, downloads,
// revokes, friend requests, logout) on one address, with the body formats,
// status codes and quirks of the real server as described in
// shared/reference/webwx-protocol.md. Like the real server it routes by the
// Host header (hosts.go: the web host, its login., file. and webpush. hosts)
// and scopes its cookies by domain (cookies.go), so clients must keep the
// real host names and send only the connection here: tests start it with
// NewTest and set the client's server override (wechat.Config.ServerOverride)
// to URL(); people can run it standalone with the wechatsim command and try
// the bridge without risking a real account.
//
// Session cookies expire (Config.CookieLifetime, 12 h by default, renewed by
// every webwxsync); Config.Now, for example a Clock's, is the server's
// clock, which tests can move together with the client's.
//
// The fake is strict: it checks the session on every call (cookies,
// BaseRequest, query tokens), refuses what the real server refuses, and
// records every request, every message sent, every upload and every
// protocol violation it notices, so tests can assert on them. Controls on
// *Server play the phone (Scan, Confirm, Inject…), change the account
// (AddContact, SetMembers, ChangeProfile…) and break things on purpose
// (EndSession, RotateSKey, FailNext, RefuseNextLogin, RefuseNextPushLogin).
//
// It speaks the wire format on its own: the bodies it reads and the
// answers it writes are its own types (wire_*.go), written from the
// reference with the real server's key spelling and JSON types, and its
// files do not import package wechat. A client that misspells a key
// therefore fails against it instead of agreeing with itself. Bodies are
// read case-sensitively against those types, and what a request gets
// wrong falls in one of two levels:
//
//   - What the real server refuses is refused with the real answer and
//     recorded as a violation: 1200 for a body it cannot parse (not JSON,
//     a value of a type it cannot convert such as "Type":"text"),
//     1100/1101/1102 for a bad session (cookies, BaseRequest, query
//     tokens), and the endpoint's own refusals below. A mis-cased key is
//     ignored as the real server ignores it, so "ClientMsgID" is a
//     missing ClientMsgId, which the send then refuses.
//   - What differs from the official web client (webwx-app-tracker) but
//     the real server accepts is answered normally and recorded as a
//     violation: unknown and mis-cased keys, a number sent as a string or
//     the other way round (ItChat's string Uin, openwechat's string rr), a
//     key the web client always sends left out, null, a DeviceID that is
//     not "e" + 15 digits (ItChat puts pass_ticket there), a file appmsg
//     whose appid is not the web client's for the session's mode, query
//     parameters the web client sends and the real server does without
//     (fun=new and version=v2 on webwxnewloginpage, pass_ticket on
//     webwxinit, webwxbatchgetcontact and webwxstatusnotify, mod=desktop
//     beside the UOS headers, which alone make a login a desktop one).
//     tools/openwechat runs unmodified openwechat against the simulator
//     to keep this level honest.
//
// Violations lists both; tests of our own client expect it empty, and the
// end-to-end stack fails a test that leaves any. A refusal that follows
// from what a test changed while a request was on its way (an skey
// RotateSKey replaced, a contact DeleteContact removed before the client
// synced it) is answered the same way but listed by Induced instead, and
// faults injected with FailNext are neither. Error answers have the full
// shape of the endpoint's answer: every field at its zero value, lists as
// [] and SyncKey as {"Count":0,"List":[]}.
//
// Each login is a new session: every contact gets a new random UserName and
// the previous session of the account dies with 1101, as on the real
// server. Seed ids (see Seed) stay stable and are how tests name contacts.
//
// Error codes the fake answers with, beyond the real server's session
// codes 1100/1101/1102: 1205 for a send or webwxbatchgetcontact over the
// account's rate limit (RateLimit: the limits users measured, on unless a
// test turns them off), 1200 for a body it cannot parse (or a batch of more
// than 50 contacts), 1 for a missing or malformed parameter, 1204 for a
// message to a UserName the session does not know, and -1 for an
// operation it refuses (revoke outside the window, wrong verify ticket,
// upload that fails its length or MD5 check, a SyncKey it never issued).
// webwxupdatechatroom answers -2 to what WeChat refuses (delmember from a
// group the account does not own, addmember or invitemember of someone
// who is not a friend) and records it with ChatRoomRefusals, not as a
// violation; an accepted change comes back as the group's ModContactList
// and the phone's system message ("你修改群名为“X”").
//
// Like the real server it gives pass_ticket URL-escaped ("%2B"), serves a
// non-friend's avatar only with the group's EncryChatRoomId as chatroomid,
// gives video messages an opaque "@…" Content, and takes an upload chunk
// sent again without adding it twice.
// SyncKeys are checked per account, not per session, so a client that
// logs in again may keep its old key and catch up. Downloads without a
// valid session answer 200 with an empty body (as the real server does);
// webwxgetvideo without a Range header answers 416.
package wechattest
