package wechat

// MsgType values of AddMsgList items.
const (
	MsgTypeText           = 1
	MsgTypeImage          = 3
	MsgTypeVoice          = 34
	MsgTypeVerify         = 37
	MsgTypePossibleFriend = 40
	MsgTypeShareCard      = 42
	MsgTypeVideo          = 43
	MsgTypeEmoticon       = 47
	MsgTypeLocation       = 48
	MsgTypeApp            = 49
	MsgTypeVoIPMsg        = 50
	MsgTypeStatusNotify   = 51
	MsgTypeVoIPNotify     = 52
	MsgTypeVoIPInvite     = 53
	MsgTypeMicroVideo     = 62
	MsgTypeSysNotice      = 9999
	MsgTypeSys            = 10000
	MsgTypeRecalled       = 10002
)

// SubMsgTypeLocation marks a text message that is a location.
const SubMsgTypeLocation = 48

// AppMsgType values of app messages (MsgType 49).
const (
	AppMsgTypeText             = 1
	AppMsgTypeImage            = 2
	AppMsgTypeAudio            = 3
	AppMsgTypeVideo            = 4
	AppMsgTypeURL              = 5
	AppMsgTypeAttach           = 6
	AppMsgTypeOpen             = 7
	AppMsgTypeEmoji            = 8
	AppMsgTypeVoiceRemind      = 9
	AppMsgTypeScanGood         = 10
	AppMsgTypeGood             = 13
	AppMsgTypeEmotion          = 15
	AppMsgTypeCardTicket       = 16
	AppMsgTypeRealtimeLocation = 17
	AppMsgTypeChatHistory      = 19
	AppMsgTypeMiniProgram      = 33
	AppMsgTypeMiniProgram2     = 36
	AppMsgTypeQuote            = 57
	AppMsgTypeTransfer         = 2000
	AppMsgTypeRedPacket        = 2001
)

// StatusNotify codes (webwxstatusnotify and MsgType 51).
const (
	StatusNotifyRead         = 1
	StatusNotifyEnterSession = 2
	StatusNotifyInited       = 3
	StatusNotifySyncConv     = 4
	StatusNotifyQuitSession  = 5
)

// ContactFlag bits.
const (
	ContactFlagContact   = 0x1
	ContactFlagChatRoom  = 0x4
	ContactFlagBlacklist = 0x8
	ContactFlagMute      = 0x200
	ContactFlagTop       = 0x800
)

// VerifyFlagBizBrand marks an official account.
const VerifyFlagBizBrand = 8

// Verify opcodes of webwxverifyuser.
const (
	VerifyOpAddContact   = 1
	VerifyOpSendRequest  = 2
	VerifyOpVerifyOK     = 3
	VerifyOpVerifyReject = 4
)

// Web WeChat constants.
const (
	// AppID is the web client's app id, used by jslogin.
	AppID = "wx782c26e4c19acffb"
	// FileAppID is the app id of file app messages in web mode.
	FileAppID = "wxeb7ec651dd0aefa9"

	// QRPayloadPrefix is what a QR code encodes, followed by the login UUID.
	QRPayloadPrefix = "https://login.weixin.qq.com/l/"

	// UserAgentUOS is the user agent of the UOS desktop client.
	UserAgentUOS = "Mozilla/5.0 (Linux; U; UOS x86_64; zh-cn) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36 UOSBrowser/6.0.1.1001"
	// UserAgentWeb is a desktop browser user agent for web mode.
	UserAgentWeb = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

	// DesktopClientVersion is the client-version header of desktop mode.
	DesktopClientVersion = "2.0.0"
	// DesktopExtspam is the fixed extspam header of desktop mode.
	DesktopExtspam = "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyNPWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVqqZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxHfYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5HhHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJTUuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usMomsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA=="

	// APIPath is the path prefix of every API endpoint.
	APIPath = "/cgi-bin/mmwebwx-bin/"

	// FileHelper is the special account for messages to oneself.
	FileHelper = "filehelper"
	// FriendRequestSender is the special account that sends friend requests.
	FriendRequestSender = "fmessage"

	// MaxBatchContacts is the most contacts webwxbatchgetcontact takes at once.
	MaxBatchContacts = 50
	// UploadChunkSize is the chunk size of webwxuploadmedia.
	UploadChunkSize = 512 * 1024
	// CheckUploadThreshold is the size above which webwxcheckupload runs first.
	CheckUploadThreshold = 25 * 1024 * 1024
)
