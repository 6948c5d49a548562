package wechattest

// UpdateChatRoomRequest is the body of webwxupdatechatroom (reference
// §8.3): the query's fun says which of the optional fields it reads.
type UpdateChatRoomRequest struct {
	BaseRequest      BaseRequest `json:"BaseRequest,required"`
	ChatRoomName     string      `json:"ChatRoomName,required"`
	NewTopic         string      `json:"NewTopic"`
	AddMemberList    string      `json:"AddMemberList"`
	InviteMemberList string      `json:"InviteMemberList"`
	DelMemberList    string      `json:"DelMemberList"`
}

// ChatRoomUpdate is one accepted webwxupdatechatroom call.
type ChatRoomUpdate struct {
	Fun     string
	GroupID string   // seed id of the group
	Members []string // seed ids of the members named
	Topic   string
}

// Functions of webwxupdatechatroom (reference §8.3).
const (
	funAddMember    = "addmember"
	funInviteMember = "invitemember"
	funDelMember    = "delmember"
	funModTopic     = "modtopic"
)

// retLogicError is BaseResponse.Ret -2 (reference §9): bad arguments or
// state, such as a member who may not be removed.
const retLogicError = -2

// inviteStartCount is webwxinit's InviteStartCount: the group size from
// which the official client invites instead of adding (reference §8.3).
const inviteStartCount = 40

// createChatRoomBody is the body of webwxcreatechatroom (reference §8.4).
type createChatRoomBody struct {
	BaseRequest BaseRequest              `json:"BaseRequest,required"`
	MemberCount int                      `json:"MemberCount,required"`
	MemberList  []createChatRoomListItem `json:"MemberList,required"`
	Topic       string                   `json:"Topic,required"`
}

// createChatRoomListItem names one member of the new group.
type createChatRoomListItem struct {
	UserName string `json:"UserName,required"`
}

// createChatRoomAnswer is webwxcreatechatroom's answer (reference §8.4).
type createChatRoomAnswer struct {
	BaseResponse baseResponse `json:"BaseResponse"`
	ChatRoomName string       `json:"ChatRoomName"`
	MemberCount  int          `json:"MemberCount"`
	MemberList   []wireMember `json:"MemberList"`
	Topic        string       `json:"Topic"`
	PYInitial    string       `json:"PYInitial"`
	QuanPin      string       `json:"QuanPin"`
	BlackList    string       `json:"BlackList"`
}

func newCreateChatRoomAnswer() *createChatRoomAnswer {
	return &createChatRoomAnswer{MemberList: []wireMember{}}
}

// GroupCreation is how the server answers webwxcreatechatroom.
type GroupCreation string

// The answers to webwxcreatechatroom. The zero value is the real server's
// for most accounts since 2018-06-27 (reference §0.1, §8.4): refused.
const (
	// GroupCreationRefused answers Ret 0 with the "创建群聊失败" ErrMsg and
	// no ChatRoomName, and creates nothing (youfou/wxpy#258).
	GroupCreationRefused GroupCreation = ""
	// GroupCreationAllowed creates the group, as for the accounts (and
	// the years) where web creation works.
	GroupCreationAllowed GroupCreation = "allowed"
	// GroupCreationTooFrequent answers Ret 1 "操作太频繁，请稍后再试。"
	// (littlecodersh/ItChat#560: 2–3 groups an hour).
	GroupCreationTooFrequent GroupCreation = "too-frequent"
	// GroupCreationCreatedAnyway answers like GroupCreationRefused but
	// creates the group all the same, which then shows up in the sync
	// (nodeWechat/wechat4u#248).
	GroupCreationCreatedAnyway GroupCreation = "created-anyway"
)

// ValidGroupCreation reports whether mode is one of the modes above.
func ValidGroupCreation(mode string) bool {
	switch GroupCreation(mode) {
	case GroupCreationRefused, GroupCreationAllowed, GroupCreationTooFrequent, GroupCreationCreatedAnyway:
		return true
	}
	return false
}

// createRefusedErrMsg is the ErrMsg of a refused creation (youfou/wxpy#258).
const createRefusedErrMsg = "<e><ShowType>1</ShowType><Content><![CDATA[创建群聊失败]]></Content></e>"

// createTooFrequentErrMsg is the ErrMsg of Ret 1 for creating groups too
// often (littlecodersh/ItChat#560).
const createTooFrequentErrMsg = "操作太频繁，请稍后再试。"

// CreatedChatRoom is one webwxcreatechatroom call the server accepted.
type CreatedChatRoom struct {
	GroupID string   // seed id of the new group ("" when refused)
	Topic   string   // the Topic sent
	Members []string // seed ids of the members named
	Answer  GroupCreation
}
