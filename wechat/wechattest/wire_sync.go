package wechattest

// The receive loop on the wire (reference §4): webwxsync's body and
// answer, and the AddMsgList item.

// syncBody is webwxsync's body. The web client sends rr as ~Date, a
// negative number; openwechat sends a string, which the server accepts.
type syncBody struct {
	BaseRequest BaseRequest `json:"BaseRequest,required"`
	SyncKey     syncKey     `json:"SyncKey,required"`
	RR          int64       `json:"rr,required"`
}

// RecommendInfo describes the person behind a friend request (37), a
// friend recommendation (40) or a contact card (42) (reference §4.4).
type RecommendInfo struct {
	UserName   string `json:"UserName"`
	NickName   string `json:"NickName"`
	QQNum      int64  `json:"QQNum"`
	Province   string `json:"Province"`
	City       string `json:"City"`
	Content    string `json:"Content"`
	Signature  string `json:"Signature"`
	Alias      string `json:"Alias"`
	Scene      int    `json:"Scene"`
	VerifyFlag int    `json:"VerifyFlag"`
	AttrStatus int64  `json:"AttrStatus"`
	Sex        int    `json:"Sex"`
	Ticket     string `json:"Ticket"`
	OpCode     int    `json:"OpCode"`
}

// appInfo names the app that shared an app message.
type appInfo struct {
	AppID string `json:"AppID"`
	Type  int    `json:"Type"`
}

// wireMessage is one AddMsgList item (reference §4.4): MsgId a string,
// NewMsgId the same id as a number (beyond 2^53), FileSize a string.
type wireMessage struct {
	MsgId                string        `json:"MsgId"`
	FromUserName         string        `json:"FromUserName"`
	ToUserName           string        `json:"ToUserName"`
	MsgType              int           `json:"MsgType"`
	Content              string        `json:"Content"`
	Status               int           `json:"Status"`
	ImgStatus            int           `json:"ImgStatus"`
	CreateTime           int64         `json:"CreateTime"`
	VoiceLength          int           `json:"VoiceLength"`
	PlayLength           int           `json:"PlayLength"`
	FileName             string        `json:"FileName"`
	FileSize             string        `json:"FileSize"`
	MediaId              string        `json:"MediaId"`
	Url                  string        `json:"Url"`
	AppMsgType           int           `json:"AppMsgType"`
	StatusNotifyCode     int           `json:"StatusNotifyCode"`
	StatusNotifyUserName string        `json:"StatusNotifyUserName"`
	RecommendInfo        RecommendInfo `json:"RecommendInfo"`
	ForwardFlag          int           `json:"ForwardFlag"`
	AppInfo              appInfo       `json:"AppInfo"`
	HasProductId         int           `json:"HasProductId"`
	Ticket               string        `json:"Ticket"`
	ImgHeight            int           `json:"ImgHeight"`
	ImgWidth             int           `json:"ImgWidth"`
	SubMsgType           int           `json:"SubMsgType"`
	NewMsgId             int64         `json:"NewMsgId"`
	OriContent           string        `json:"OriContent"`
	EncryFileName        string        `json:"EncryFileName"`
}

// delContact is a DelContactList entry.
type delContact struct {
	UserName    string `json:"UserName"`
	ContactFlag int    `json:"ContactFlag"`
}

// buff is the {"Buff": "…"} wrapper of Profile's strings.
type buff struct {
	Buff string `json:"Buff"`
}

// profile is webwxsync's self profile; BitFlag 190 marks a change.
type profile struct {
	BitFlag           int    `json:"BitFlag"`
	UserName          buff   `json:"UserName"`
	NickName          buff   `json:"NickName"`
	BindUin           int64  `json:"BindUin"`
	BindEmail         buff   `json:"BindEmail"`
	BindMobile        buff   `json:"BindMobile"`
	Status            int    `json:"Status"`
	Sex               int    `json:"Sex"`
	PersonalCard      int    `json:"PersonalCard"`
	Alias             string `json:"Alias"`
	HeadImgUpdateFlag int    `json:"HeadImgUpdateFlag"`
	HeadImgUrl        string `json:"HeadImgUrl"`
	Signature         string `json:"Signature"`
}

// syncAnswer is webwxsync's answer (reference §4.2).
type syncAnswer struct {
	BaseResponse           baseResponse  `json:"BaseResponse"`
	AddMsgCount            int           `json:"AddMsgCount"`
	AddMsgList             []wireMessage `json:"AddMsgList"`
	ModContactCount        int           `json:"ModContactCount"`
	ModContactList         []wireContact `json:"ModContactList"`
	DelContactCount        int           `json:"DelContactCount"`
	DelContactList         []delContact  `json:"DelContactList"`
	ModChatRoomMemberCount int           `json:"ModChatRoomMemberCount"`
	ModChatRoomMemberList  []wireMember  `json:"ModChatRoomMemberList"`
	Profile                profile       `json:"Profile"`
	ContinueFlag           int           `json:"ContinueFlag"`
	SyncKey                syncKey       `json:"SyncKey"`
	SyncCheckKey           syncKey       `json:"SyncCheckKey"`
	SKey                   string        `json:"SKey"`
}

func newSyncAnswer() *syncAnswer {
	return &syncAnswer{
		AddMsgList:            []wireMessage{},
		ModContactList:        []wireContact{},
		DelContactList:        []delContact{},
		ModChatRoomMemberList: []wireMember{},
		SyncKey:               emptySyncKey(),
		SyncCheckKey:          emptySyncKey(),
	}
}
