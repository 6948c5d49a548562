package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MinCreateMembers is how many people besides the account a new group
// needs (reference §8.4).
const MinCreateMembers = 2

// ErrGroupCreateRefused means WeChat would not create a group: web WeChat
// has refused group creation for most accounts since 2018 (reference §0.1,
// §8.4). A *CreateChatroomError carries the details.
var ErrGroupCreateRefused = errors.New("wechat: group creation refused")

// CreateChatroomRequest is the body of webwxcreatechatroom.
type CreateChatroomRequest struct {
	BaseRequest BaseRequest
	MemberCount int
	MemberList  []CreateChatroomMember
	Topic       string
}

// CreateChatroomMember names one member of a new group.
type CreateChatroomMember struct {
	UserName string
}

// CreateChatroomResponse is the answer of webwxcreatechatroom.
type CreateChatroomResponse struct {
	BaseResponse BaseResponse
	ChatRoomName string
	MemberCount  int
	Topic        string
}

func (r *CreateChatroomResponse) base() *BaseResponse { return &r.BaseResponse }

// CreateChatroomError is WeChat's refusal to create a group. It matches
// ErrGroupCreateRefused, and ErrTooFrequent when WeChat said the account
// creates groups too often (Ret 1 with "操作太频繁" or Ret 1205).
type CreateChatroomError struct {
	Ret     int
	Message string // ErrMsg, or the Content of its <e> XML
	// MaybeCreated is set when WeChat answered Ret 0 with no ChatRoomName:
	// the group was sometimes created all the same (wechat4u#248), and
	// then shows up in a later sync.
	MaybeCreated bool
}

func (e *CreateChatroomError) Error() string {
	msg := fmt.Sprintf("wechat: webwxcreatechatroom refused (ret=%d", e.Ret)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg + ")"
}

// Is matches ErrGroupCreateRefused, and ErrTooFrequent for WeChat's
// "too frequent" answers.
func (e *CreateChatroomError) Is(target error) bool {
	switch target {
	case ErrGroupCreateRefused:
		return true
	case ErrTooFrequent:
		return e.TooFrequent()
	}
	return false
}

// TooFrequent reports whether WeChat refused because the account created
// groups too often (2–3 an hour, reference §10.4).
func (e *CreateChatroomError) TooFrequent() bool {
	return e.Ret == RetTooFrequent || (e.Ret == retParamError && strings.Contains(e.Message, "频繁"))
}

// retParamError is Ret 1: a parameter error, or "too frequent" with an
// ErrMsg saying so (reference §9).
const retParamError = 1

// CreateChatroom creates a group of the account and users (UserNames, at
// least MinCreateMembers, the account not among them) named topic (may be
// empty), with webwxcreatechatroom, and returns its ChatRoomName. WeChat's
// refusals are a *CreateChatroomError (errors.Is ErrGroupCreateRefused);
// a creation too soon after the previous one is a *CreatePacedError
// (Config.GroupCreateInterval) and does not reach WeChat;
// a lost session is ErrLoggedOut and network trouble stays what it was.
// The new group also comes back in a later sync (ModContactList and the
// phone's system message).
func (c *Client) CreateChatroom(ctx context.Context, topic string, users []string) (string, error) {
	if len(users) < MinCreateMembers {
		return "", fmt.Errorf("wechat: a group needs at least %d members besides you, got %d", MinCreateMembers, len(users))
	}
	if err := c.creations.take(); err != nil {
		return "", err
	}
	v := c.view()
	req := CreateChatroomRequest{BaseRequest: v.base, MemberCount: len(users), Topic: topic}
	for _, u := range users {
		req.MemberList = append(req.MemberList, CreateChatroomMember{UserName: u})
	}
	q := url.Values{"r": {nowMillis()}}
	var resp CreateChatroomResponse
	err := c.t.callJSON(ctx, "webwxcreatechatroom", c.webURL(v, "webwxcreatechatroom", q), req, &resp)
	var re *RetError
	switch {
	case errors.As(err, &re) && !IsLoggedOutRet(re.Ret):
		ce := &CreateChatroomError{Ret: re.Ret, Message: errMsgContent(re.Message)}
		if ce.TooFrequent() {
			c.creations.hold(tooFrequentHold)
		}
		return "", ce
	case err != nil:
		return "", fmt.Errorf("webwxcreatechatroom: %w", err)
	case !strings.HasPrefix(resp.ChatRoomName, "@@"):
		return "", &CreateChatroomError{Ret: resp.BaseResponse.Ret, Message: errMsgContent(resp.BaseResponse.ErrMsg), MaybeCreated: true}
	}
	return resp.ChatRoomName, nil
}

// errMsgContent is the text of an ErrMsg, which WeChat sometimes wraps as
// <e><ShowType>1</ShowType><Content><![CDATA[…]]></Content></e>.
func errMsgContent(msg string) string {
	_, rest, ok := strings.Cut(msg, "<Content>")
	if !ok {
		return strings.TrimSpace(msg)
	}
	content, _, _ := strings.Cut(rest, "</Content>")
	content = strings.TrimPrefix(content, "<![CDATA[")
	content = strings.TrimSuffix(content, "]]>")
	return strings.TrimSpace(content)
}
