// Package wechat is a client for the Web WeChat ("webwx") HTTP protocol.
//
// It logs in by QR code (web or desktop/UOS mode) or by push login, keeps the
// whole session in one serialisable [Session], bootstraps contacts, runs the
// synccheck/webwxsync loop and hands typed events to a handler it is given,
// and sends, uploads and downloads messages and media.
//
// [ParseMessage] in parse.go turns each AddMsgList item into a [Message]
// whose Content is the typed view of one kind of content. Each kind has its
// type and parser in a file named after it (parse_text.go, parse_media.go,
// parse_appmsg.go, parse_recall.go, …); the helpers they share are in
// parse_markup.go, parse_emoji.go, parse_groupprefix.go, parse_fields.go
// and parse_xml.go.
//
// WeChat's rate limits are met in ratelimit.go: sends go out one at a
// time, paced, and a "too frequent" (1205) pauses every call of its kind
// (sends, contact fetches, uploads) for a growing cooldown before the
// refused call is made again. pass_ticket goes into URLs exactly as the
// login gave it (passticket.go).
//
// The package knows nothing about Matrix. Its wire types mirror the field
// names of the protocol (HeadImgUrl, not HeadImgURL) so that they can be
// decoded and encoded without tags and read side by side with the protocol
// reference.
package wechat
