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
