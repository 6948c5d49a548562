package wechattest

// Sending on the wire (reference §7.3, §8.1, §8.5): the five send
// endpoints, webwxrevokemsg and webwxverifyuser.

// OutMessage is the Msg of a send call. The web client sends LocalID and
// ClientMsgId as the same 17-digit string; Content, MediaId, MsgSource,
// EmojiFlag, EMoticonMd5 and Signature depend on the endpoint.
type OutMessage struct {
	Type         int    `json:"Type,required"`
	Content      string `json:"Content"`
	FromUserName string `json:"FromUserName,required"`
	ToUserName   string `json:"ToUserName,required"`
	LocalID      string `json:"LocalID,required"`
	ClientMsgId  string `json:"ClientMsgId,required"`
	MediaId      string `json:"MediaId"`
	MsgSource    string `json:"MsgSource"`
	EmojiFlag    int    `json:"EmojiFlag"`
	EMoticonMd5  string `json:"EMoticonMd5"`
	Signature    string `json:"Signature"`
}

// sendBody is the body of every send call.
type sendBody struct {
	BaseRequest BaseRequest `json:"BaseRequest,required"`
	Msg         OutMessage  `json:"Msg,required"`
	Scene       int         `json:"Scene,required"`
}

// sendAnswer is the answer of every send call: MsgID is the server's id
// as a string, LocalID echoes the client's.
type sendAnswer struct {
	BaseResponse baseResponse `json:"BaseResponse"`
	MsgID        string       `json:"MsgID"`
	LocalID      string       `json:"LocalID"`
}

// RevokeRequest is webwxrevokemsg's body: SvrMsgId is the MsgID the send
// answered, ClientMsgId the one the message was sent with.
type RevokeRequest struct {
	BaseRequest BaseRequest `json:"BaseRequest,required"`
	SvrMsgId    string      `json:"SvrMsgId,required"`
	ToUserName  string      `json:"ToUserName,required"`
	ClientMsgId string      `json:"ClientMsgId,required"`
}

// revokeAnswer is webwxrevokemsg's answer.
type revokeAnswer struct {
	BaseResponse baseResponse `json:"BaseResponse"`
	Introduction string       `json:"Introduction"`
	SysWording   string       `json:"SysWording"`
}

// VerifyUser is one entry of VerifyUserList.
type VerifyUser struct {
	Value            string `json:"Value,required"`
	VerifyUserTicket string `json:"VerifyUserTicket,required"`
}

// VerifyUserRequest is webwxverifyuser's body. skey is lower-case, the
// only such key of a JSON body.
type VerifyUserRequest struct {
	BaseRequest        BaseRequest  `json:"BaseRequest,required"`
	Opcode             int          `json:"Opcode,required"`
	VerifyUserListSize int          `json:"VerifyUserListSize,required"`
	VerifyUserList     []VerifyUser `json:"VerifyUserList,required"`
	VerifyContent      string       `json:"VerifyContent,required"`
	SceneListCount     int          `json:"SceneListCount,required"`
	SceneList          []int        `json:"SceneList,required"`
	Skey               string       `json:"skey,required"`
}
