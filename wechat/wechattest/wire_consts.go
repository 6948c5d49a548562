package wechattest

// Values on the wire, stated here from the protocol reference
// (shared/reference/webwx-protocol.md) and not taken from package wechat,
// so that a wrong value in the client fails a test instead of agreeing
// with itself.

// apiPath is the path prefix of every API endpoint (reference §1).
const apiPath = "/cgi-bin/mmwebwx-bin/"

// App ids (reference §2.1, §7.3).
const (
	// webAppID is the app id jslogin takes ("Web微信").
	webAppID = "wx782c26e4c19acffb"
	// fileAppID is the appid of a file appmsg in web mode; in desktop
	// mode the official client sends appid=''.
	fileAppID = "wxeb7ec651dd0aefa9"
)

// Desktop (UOS) mode headers of webwxnewloginpage (reference §2.6).
const (
	uosClientVersion = "2.0.0"
	uosExtspam       = "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyNPWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVqqZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxHfYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5HhHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJTUuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usMomsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA=="
)

// qrPayloadPrefix is what a login QR code encodes, followed by the uuid
// (reference §2.2).
const qrPayloadPrefix = "https://login.weixin.qq.com/l/"

// BaseResponse.Ret values (reference §9).
const (
	retSysError        = -1
	retTicketError     = -14
	retParamError      = 1
	retSessionNotExist = 1100
	retSessionInvalid  = 1101
	retCookieInvalid   = 1102
	retParseRequest    = 1200
	retLoginBarred     = 1203
	retTooFrequent     = 1205
	// retBadRecipient answers a send to a UserName the session cannot
	// message; the sources name no code for it, this one is the
	// simulator's.
	retBadRecipient = 1204
)

// MsgType values (reference §5.2).
const (
	msgText           = 1
	msgImage          = 3
	msgVoice          = 34
	msgVerify         = 37
	msgPossibleFriend = 40
	msgShareCard      = 42
	msgVideo          = 43
	msgEmoticon       = 47
	msgApp            = 49
	msgStatusNotify   = 51
	msgMicroVideo     = 62
	msgSys            = 10000
	msgRecalled       = 10002
)

// subMsgLocation marks a text message that is a location (reference §5.3).
const subMsgLocation = 48

// AppMsgType values (reference §5.4).
const (
	appMsgURL    = 5
	appMsgAttach = 6
)

// Status notify codes (reference §3.3).
const (
	statusNotifyRead   = 1 // the client read the chat
	statusNotifyInited = 3
)

// ContactFlag bits (reference §3.7).
const (
	contactFlagContact  = 0x1
	contactFlagChatRoom = 0x4
	contactFlagTop      = 0x800
)

// Commands of webwxoplog (reference §8.2).
const (
	opLogRemark = 2
	opLogPin    = 3
)

// Opcodes of webwxverifyuser (reference §8.5).
const (
	verifySendRequest = 2
	verifyOK          = 3
)

// profileBitFlagChange marks a real self-profile change (reference §4.2).
const profileBitFlagChange = 190

// Special accounts (reference §3.7).
const (
	fileHelper          = "filehelper"
	friendRequestSender = "fmessage"
)

// Limits of the real server and the official client (reference §3.5, §7).
const (
	maxBatchContacts     = 50
	uploadChunkSize      = 512 * 1024
	checkUploadThreshold = 25 * 1024 * 1024
	uploadFileTypeBig    = 7 // webwxcheckupload's FileType
	uploadTypeSend       = 2 // uploadmediarequest's UploadType when sent
	uploadMediaAttach    = 4 // uploadmediarequest's MediaType
)
