package wechat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// BaseRequest is sent in the body of nearly every POST.
type BaseRequest struct {
	Uin      int64
	Sid      string
	Skey     string
	DeviceID string
}

// BaseResponse is the status part of every JSON answer.
type BaseResponse struct {
	Ret    int
	ErrMsg string
}

// SyncKeyItem is one Key_Val pair of a sync key.
type SyncKeyItem struct {
	Key int
	Val int64
}

// SyncKey is a position in the account's event stream, as sent to
// webwxsync (SyncKey) and synccheck (SyncCheckKey).
type SyncKey struct {
	Count int
	List  []SyncKeyItem
}

// String formats the key as synccheck expects it: Key_Val pairs joined by |.
func (k SyncKey) String() string {
	var sb strings.Builder
	for i, item := range k.List {
		if i > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(strconv.Itoa(item.Key))
		sb.WriteByte('_')
		sb.WriteString(strconv.FormatInt(item.Val, 10))
	}
	return sb.String()
}

func (k SyncKey) clone() SyncKey {
	return SyncKey{Count: k.Count, List: append([]SyncKeyItem(nil), k.List...)}
}

// IsZero reports whether the key carries no pairs.
func (k SyncKey) IsZero() bool { return len(k.List) == 0 }

// ParseSyncKey parses the Key_Val|Key_Val form produced by String.
func ParseSyncKey(s string) (SyncKey, error) {
	var k SyncKey
	if s == "" {
		return k, nil
	}
	for _, pair := range strings.Split(s, "|") {
		key, val, ok := strings.Cut(pair, "_")
		if !ok {
			return SyncKey{}, fmt.Errorf("wechat: malformed sync key pair %q", pair)
		}
		ki, err := strconv.Atoi(key)
		if err != nil {
			return SyncKey{}, fmt.Errorf("wechat: malformed sync key pair %q: %w", pair, err)
		}
		vi, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return SyncKey{}, fmt.Errorf("wechat: malformed sync key pair %q: %w", pair, err)
		}
		k.List = append(k.List, SyncKeyItem{Key: ki, Val: vi})
	}
	k.Count = len(k.List)
	return k, nil
}

// Int64 is an integer that the server sometimes sends as a JSON string and
// sometimes as a number. It always encodes as a number.
type Int64 int64

// UnmarshalJSON accepts 123, "123", "" and null.
func (n *Int64) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("wechat: not an integer: %q", s)
		}
		*n = Int64(v)
		return nil
	}
	v, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return fmt.Errorf("wechat: not an integer: %s", truncate(string(data), 32))
	}
	*n = Int64(v)
	return nil
}

// Member is an entry of a group's MemberList, with the fields the client
// reads. The server also sends PYInitial, PYQuanPin, RemarkPYInitial,
// RemarkPYQuanPin and KeyWord, which are not decoded: a big account holds
// tens of thousands of members for the whole session.
type Member struct {
	Uin          int64
	UserName     string
	NickName     string
	AttrStatus   int64
	MemberStatus int
	DisplayName  string
}

// Contact is a user, group or official account as the server describes it
// (webwxinit, webwxgetcontact, webwxbatchgetcontact, ModContactList).
type Contact struct {
	Uin              int64
	UserName         string
	NickName         string
	HeadImgUrl       string
	ContactFlag      int
	MemberCount      int
	MemberList       []Member
	RemarkName       string
	HideInputBarFlag int
	Sex              int
	Signature        string
	VerifyFlag       int
	OwnerUin         int64
	PYInitial        string
	PYQuanPin        string
	RemarkPYInitial  string
	RemarkPYQuanPin  string
	StarFriend       int
	AppAccountFlag   int
	Statues          int
	AttrStatus       int64
	Province         string
	City             string
	Alias            string
	SnsFlag          int
	UniFriend        int
	DisplayName      string
	ChatRoomId       int64
	KeyWord          string
	EncryChatRoomId  string
	IsOwner          int
	HeadImgFlag      int
	ChatRoomOwner    string
}

// DelContact is an entry of DelContactList.
type DelContact struct {
	UserName    string
	ContactFlag int
}

// RecommendInfo describes the person behind a friend request (37), a
// friend recommendation (40) or a contact card (42).
type RecommendInfo struct {
	UserName   string
	NickName   string
	QQNum      int64
	Province   string
	City       string
	Content    string
	Signature  string
	Alias      string
	Scene      int
	VerifyFlag int
	AttrStatus int64
	Sex        int
	Ticket     string
	OpCode     int
}

// AppInfo names the app that shared an app message.
type AppInfo struct {
	AppID string
	Type  int
}

// RawMessage is one item of AddMsgList, exactly as the server sends it.
// NewMsgId exceeds 2^53 and is never handled as a float.
type RawMessage struct {
	MsgId                string
	NewMsgId             Int64
	FromUserName         string
	ToUserName           string
	MsgType              int
	Content              string
	Status               int
	ImgStatus            int
	CreateTime           int64
	VoiceLength          int
	PlayLength           int
	FileName             string
	FileSize             string
	MediaId              string
	Url                  string
	AppMsgType           int
	StatusNotifyCode     int
	StatusNotifyUserName string
	RecommendInfo        RecommendInfo
	ForwardFlag          int
	AppInfo              AppInfo
	HasProductId         int
	Ticket               string
	ImgHeight            int
	ImgWidth             int
	SubMsgType           int
	OriContent           string
	EncryFileName        string
}

// ID is the message's stable ID: NewMsgId, or MsgId when NewMsgId is missing.
func (m *RawMessage) ID() int64 {
	if m.NewMsgId != 0 {
		return int64(m.NewMsgId)
	}
	id, _ := strconv.ParseInt(m.MsgId, 10, 64)
	return id
}

// StringBuff is the {"Buff": "..."} wrapper used in Profile.
type StringBuff struct {
	Buff string
}

// Profile is the self-profile part of a webwxsync answer.
type Profile struct {
	BitFlag           int
	UserName          StringBuff
	NickName          StringBuff
	BindUin           int64
	BindEmail         StringBuff
	BindMobile        StringBuff
	Status            int
	Sex               int
	PersonalCard      int
	Alias             string
	HeadImgUpdateFlag int
	HeadImgUrl        string
	Signature         string
}

// ProfileBitFlagChange is the BitFlag value that marks a real profile change.
const ProfileBitFlagChange = 190

// InitResponse is the answer of webwxinit.
type InitResponse struct {
	BaseResponse        BaseResponse
	Count               int
	ContactList         []Contact
	SyncKey             SyncKey
	User                Contact
	ChatSet             string
	SKey                string
	ClientVersion       int64
	SystemTime          int64
	GrayScale           int
	InviteStartCount    int
	MPSubscribeMsgCount int
	ClickReportInterval int64
}

// ContactListResponse is the answer of webwxgetcontact.
type ContactListResponse struct {
	BaseResponse BaseResponse
	MemberCount  int
	MemberList   []Contact
	Seq          int64
}

// BatchContactRequestItem names one contact to fetch with webwxbatchgetcontact.
type BatchContactRequestItem struct {
	UserName        string
	EncryChatRoomId string
}

// BatchContactRequest is the body of webwxbatchgetcontact.
type BatchContactRequest struct {
	BaseRequest BaseRequest
	Count       int
	List        []BatchContactRequestItem
}

// BatchContactResponse is the answer of webwxbatchgetcontact.
type BatchContactResponse struct {
	BaseResponse BaseResponse
	Count        int
	ContactList  []Contact
}

// SyncRequest is the body of webwxsync.
type SyncRequest struct {
	BaseRequest BaseRequest
	SyncKey     SyncKey
	RR          int64 `json:"rr"`
}

// SyncResponse is the answer of webwxsync.
type SyncResponse struct {
	BaseResponse           BaseResponse
	AddMsgCount            int
	AddMsgList             []RawMessage
	ModContactCount        int
	ModContactList         []Contact
	DelContactCount        int
	DelContactList         []DelContact
	ModChatRoomMemberCount int
	ModChatRoomMemberList  []Member
	Profile                Profile
	ContinueFlag           int
	SyncKey                SyncKey
	SyncCheckKey           SyncKey
	SKey                   string
}

// StatusNotifyRequest is the body of webwxstatusnotify. ClientMsgId is a
// number here, the ms clock, as the web client sends it.
type StatusNotifyRequest struct {
	BaseRequest  BaseRequest
	Code         int
	FromUserName string
	ToUserName   string
	ClientMsgId  int64
}

// OutMessage is the Msg part of every send call.
type OutMessage struct {
	Type         int
	Content      string `json:",omitempty"`
	FromUserName string
	ToUserName   string
	LocalID      string
	ClientMsgId  string
	MediaId      string `json:",omitempty"`
	MsgSource    string `json:",omitempty"`
	EmojiFlag    int    `json:",omitempty"`
	EMoticonMd5  string `json:",omitempty"`
	Signature    string `json:",omitempty"`
}

// SendRequest is the body of webwxsendmsg, webwxsendmsgimg,
// webwxsendvideomsg, webwxsendappmsg and webwxsendemoticon.
type SendRequest struct {
	BaseRequest BaseRequest
	Msg         OutMessage
	Scene       int
}

// SendResponse is the answer of every send call.
type SendResponse struct {
	BaseResponse BaseResponse
	MsgID        string
	LocalID      string
}

// RevokeRequest is the body of webwxrevokemsg.
type RevokeRequest struct {
	BaseRequest BaseRequest
	SvrMsgId    string
	ToUserName  string
	ClientMsgId string
}

// RevokeResponse is the answer of webwxrevokemsg.
type RevokeResponse struct {
	BaseResponse BaseResponse
	Introduction string
	SysWording   string
}

// UploadMediaRequest is the JSON sent in the uploadmediarequest form field
// of every chunk of webwxuploadmedia.
type UploadMediaRequest struct {
	UploadType    int
	BaseRequest   BaseRequest
	ClientMediaId int64
	TotalLen      int64
	StartPos      int64
	DataLen       int64
	MediaType     int
	FromUserName  string
	ToUserName    string
	FileMd5       string
	AESKey        string `json:",omitempty"`
	Signature     string `json:",omitempty"`
}

// UploadMediaResponse is the answer of webwxuploadmedia.
type UploadMediaResponse struct {
	BaseResponse      BaseResponse
	MediaId           string
	StartPos          int64
	CDNThumbImgHeight int
	CDNThumbImgWidth  int
	EncryFileName     string
}

// CheckUploadRequest is the body of webwxcheckupload (files above 25 MB).
type CheckUploadRequest struct {
	BaseRequest  BaseRequest
	FileMd5      string
	FileName     string
	FileSize     int64
	FileType     int
	FromUserName string
	ToUserName   string
}

// CheckUploadResponse is the answer of webwxcheckupload.
type CheckUploadResponse struct {
	BaseResponse  BaseResponse
	MediaId       string
	AESKey        string
	Signature     string
	EncryFileName string
}

// VerifyUser is one entry of VerifyUserList.
type VerifyUser struct {
	Value            string
	VerifyUserTicket string
}

// VerifyUserRequest is the body of webwxverifyuser.
type VerifyUserRequest struct {
	BaseRequest        BaseRequest
	Opcode             int
	VerifyUserListSize int
	VerifyUserList     []VerifyUser
	VerifyContent      string
	SceneListCount     int
	SceneList          []int
	Skey               string `json:"skey"`
}

// GenericResponse is an answer that carries only a BaseResponse.
type GenericResponse struct {
	BaseResponse BaseResponse
}

// PushLoginResponse is the answer of webwxpushloginurl. ret may be a
// string or a number.
type PushLoginResponse struct {
	Ret  Int64  `json:"ret"`
	Msg  string `json:"msg"`
	UUID string `json:"uuid"`
}

// LoginPageResponse is the XML answer of webwxnewloginpage.
type LoginPageResponse struct {
	Ret         int    `xml:"ret"`
	Message     string `xml:"message"`
	SKey        string `xml:"skey"`
	WxSid       string `xml:"wxsid"`
	WxUin       int64  `xml:"wxuin"`
	PassTicket  string `xml:"pass_ticket"`
	IsGrayScale int    `xml:"isgrayscale"`
	RedirectURL string `xml:"redirecturl"`
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
