// Package msgconv converts messages between WeChat and Matrix, both ways
// and whole: text, mentions, quotes, cards, locations and attachments.
//
// It knows no database, no package-level mutable state and nothing of
// bridge/. What a conversion needs of the login a message belongs to (the
// WeChat session's downloads, uploads and sends, who an "@name" or a pill
// is, who wrote an earlier message, a portal's recent messages) comes in as
// a [Client]; the limits and the bridge bot are fields of the
// [MessageConverter] the connector makes; what became of attachments goes
// out to an [Observer] (the bridge's metrics).
//
// WeChat → Matrix (tomatrix*.go): [MessageConverter.ToMatrix] converts
// what needs no download: text ([TextToMatrix]: the "@name"s that resolve
// to Matrix users become pills and m.mentions), quotes (a real reply when
// the quoted message is found among the portal's recent ones, else
// [QuoteBlock]) and cards ([ContentToMatrix]). [MessageConverter.FetchMedia]
// downloads an attachment (voice notes become Ogg/Opus voice messages when
// ffmpeg is installed, videos get their poster), and
// [MessageConverter.UploadMedia] uploads it as its sender when bridgev2
// sends the event.
//
// Matrix → WeChat (frommatrix*.go): [MessageConverter.SendToWeChat] sends
// text ([TextFromMatrix]: HTML flattened to readable plain text, since
// WeChat shows no formatting, pills of known group members as WeChat
// mentions, "@name" followed by U+2005, and a reply as the quote the phone
// shows), attachments (downloaded from Matrix, uploaded to WeChat and sent
// the way that suits their type and size, a caption as a text after them)
// and locations as text with a map link. Its errors are the message
// statuses the sender sees.
package msgconv
