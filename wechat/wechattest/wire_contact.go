package wechattest

// Session bootstrap and contacts on the wire (reference §3): webwxinit,
// webwxstatusnotify, webwxgetcontact, webwxbatchgetcontact, webwxoplog.

// wireMember is a group's MemberList entry (reference §3.5).
type wireMember struct {
	Uin             int64  `json:"Uin"`
	UserName        string `json:"UserName"`
	NickName        string `json:"NickName"`
	AttrStatus      int64  `json:"AttrStatus"`
	PYInitial       string `json:"PYInitial"`
	PYQuanPin       string `json:"PYQuanPin"`
	RemarkPYInitial string `json:"RemarkPYInitial"`
	RemarkPYQuanPin string `json:"RemarkPYQuanPin"`
	MemberStatus    int    `json:"MemberStatus"`
	DisplayName     string `json:"DisplayName"`
	KeyWord         string `json:"KeyWord"`
}

// wireContact is a user, group or official account (reference §3.6).
// MemberList is [] for everyone but groups rendered with members.
type wireContact struct {
	Uin               int64        `json:"Uin"`
	UserName          string       `json:"UserName"`
	NickName          string       `json:"NickName"`
	HeadImgUrl        string       `json:"HeadImgUrl"`
	ContactFlag       int          `json:"ContactFlag"`
	MemberCount       int          `json:"MemberCount"`
	MemberList        []wireMember `json:"MemberList"`
	RemarkName        string       `json:"RemarkName"`
	HideInputBarFlag  int          `json:"HideInputBarFlag"`
	Sex               int          `json:"Sex"`
	Signature         string       `json:"Signature"`
	VerifyFlag        int          `json:"VerifyFlag"`
	OwnerUin          int64        `json:"OwnerUin"`
	PYInitial         string       `json:"PYInitial"`
	PYQuanPin         string       `json:"PYQuanPin"`
	RemarkPYInitial   string       `json:"RemarkPYInitial"`
	RemarkPYQuanPin   string       `json:"RemarkPYQuanPin"`
	StarFriend        int          `json:"StarFriend"`
	AppAccountFlag    int          `json:"AppAccountFlag"`
	Statues           int          `json:"Statues"`
	AttrStatus        int64        `json:"AttrStatus"`
	Province          string       `json:"Province"`
	City              string       `json:"City"`
	Alias             string       `json:"Alias"`
	SnsFlag           int          `json:"SnsFlag"`
	UniFriend         int          `json:"UniFriend"`
	DisplayName       string       `json:"DisplayName"`
	ChatRoomId        int64        `json:"ChatRoomId"`
	KeyWord           string       `json:"KeyWord"`
	EncryChatRoomId   string       `json:"EncryChatRoomId"`
	IsOwner           int          `json:"IsOwner"`
	WebWxPluginSwitch int          `json:"WebWxPluginSwitch"`
	HeadImgFlag       int          `json:"HeadImgFlag"`
	ChatRoomOwner     string       `json:"ChatRoomOwner"`
}

// newWireContact is a contact with every field at its zero value.
func newWireContact() wireContact { return wireContact{MemberList: []wireMember{}} }

// initBody is webwxinit's body.
type initBody struct {
	BaseRequest initBaseRequest `json:"BaseRequest,required"`
}

// mpSubscribeMsg is an official-account digest of webwxinit; the
// simulator has none, so the list is always empty.
type mpSubscribeMsg struct {
	UserName string `json:"UserName"`
}

// initAnswer is webwxinit's answer (reference §3.2).
type initAnswer struct {
	BaseResponse        baseResponse     `json:"BaseResponse"`
	Count               int              `json:"Count"`
	ContactList         []wireContact    `json:"ContactList"`
	SyncKey             syncKey          `json:"SyncKey"`
	User                wireContact      `json:"User"`
	ChatSet             string           `json:"ChatSet"`
	SKey                string           `json:"SKey"`
	ClientVersion       int64            `json:"ClientVersion"`
	SystemTime          int64            `json:"SystemTime"`
	GrayScale           int              `json:"GrayScale"`
	InviteStartCount    int              `json:"InviteStartCount"`
	MPSubscribeMsgCount int              `json:"MPSubscribeMsgCount"`
	MPSubscribeMsgList  []mpSubscribeMsg `json:"MPSubscribeMsgList"`
	ClickReportInterval int64            `json:"ClickReportInterval"`
}

func newInitAnswer() *initAnswer {
	return &initAnswer{
		ContactList:        []wireContact{},
		SyncKey:            emptySyncKey(),
		User:               newWireContact(),
		MPSubscribeMsgList: []mpSubscribeMsg{},
	}
}

// statusNotifyBody is webwxstatusnotify's body (reference §3.3). The web
// client sends ClientMsgId as a number, its ms clock.
type statusNotifyBody struct {
	BaseRequest  BaseRequest `json:"BaseRequest,required"`
	Code         int         `json:"Code,required"`
	FromUserName string      `json:"FromUserName,required"`
	ToUserName   string      `json:"ToUserName,required"`
	ClientMsgId  int64       `json:"ClientMsgId,required"`
}

// StatusNotifyRequest is a webwxstatusnotify call the server accepted.
type StatusNotifyRequest struct {
	BaseRequest  BaseRequest
	Code         int
	FromUserName string
	ToUserName   string
	ClientMsgId  int64
}

// statusNotifyAnswer is webwxstatusnotify's answer.
type statusNotifyAnswer struct {
	BaseResponse baseResponse `json:"BaseResponse"`
	MsgID        string       `json:"MsgID"`
}

// contactPage is webwxgetcontact's answer (reference §3.4).
type contactPage struct {
	BaseResponse baseResponse  `json:"BaseResponse"`
	MemberCount  int           `json:"MemberCount"`
	MemberList   []wireContact `json:"MemberList"`
	Seq          int64         `json:"Seq"`
}

func newContactPage() *contactPage { return &contactPage{MemberList: []wireContact{}} }

// batchContactItem names one contact to fetch. The web client sends
// EncryChatRoomId (a member, with the group) or ChatRoomId "" (a group).
type batchContactItem struct {
	UserName        string `json:"UserName,required"`
	EncryChatRoomId string `json:"EncryChatRoomId"`
	ChatRoomId      string `json:"ChatRoomId"`
}

// batchContactBody is webwxbatchgetcontact's body (reference §3.5).
type batchContactBody struct {
	BaseRequest BaseRequest        `json:"BaseRequest,required"`
	Count       int                `json:"Count,required"`
	List        []batchContactItem `json:"List,required"`
}

// batchContactAnswer is webwxbatchgetcontact's answer.
type batchContactAnswer struct {
	BaseResponse baseResponse  `json:"BaseResponse"`
	Count        int           `json:"Count"`
	ContactList  []wireContact `json:"ContactList"`
}

func newBatchContactAnswer() *batchContactAnswer {
	return &batchContactAnswer{ContactList: []wireContact{}}
}

// opLogBody is webwxoplog's body (reference §8.2): CmdId 2 sets a remark,
// CmdId 3 pins (OP 1) or unpins (OP 0).
type opLogBody struct {
	BaseRequest BaseRequest `json:"BaseRequest,required"`
	CmdId       int         `json:"CmdId,required"`
	OP          int         `json:"OP"`
	RemarkName  string      `json:"RemarkName"`
	UserName    string      `json:"UserName,required"`
}

// genericAnswer is an answer that carries only a BaseResponse
// (webwxoplog, webwxverifyuser).
type genericAnswer struct {
	BaseResponse baseResponse `json:"BaseResponse"`
}
