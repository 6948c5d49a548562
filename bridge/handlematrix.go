package bridge

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// ErrChatNotInSession is the status of a message to a chat that the
// current session does not have.
var ErrChatNotInSession = bridgev2.WrapErrorInStatus(errors.New("this chat is not in your current WeChat session (the contact may have been deleted); the message was not sent")).
	WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true)

// HandleMatrixMessage converts a Matrix message and sends it to the chat's
// current UserName (msgconv.SendToWeChat). The message ID is the one WeChat
// returns, so the echo of the message in the next sync is recognised as
// already bridged.
func (c *WeChatClient) HandleMatrixMessage(ctx context.Context, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	resp, err := c.sendMatrixMessage(ctx, msg)
	c.countOutbound(msg, err)
	return resp, err
}

// sendMatrixMessage is HandleMatrixMessage without the metrics.
func (c *WeChatClient) sendMatrixMessage(ctx context.Context, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	wx, r := c.currentSession()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return nil, bridgev2.ErrNotLoggedIn
	}
	to, err := c.chatUserName(ctx, r, string(msg.Portal.ID))
	if err != nil {
		return nil, err
	}
	res, snippet, err := c.conn.msgConv.SendToWeChat(ctx, c.convClient(wx, r), to, msg)
	if err != nil {
		return nil, err
	}
	return c.sentResponse(res, snippet), nil
}

// sentResponse is the message to save for a message sent to WeChat: its
// server ID, so the echo is recognised, the client ID recalls need, and
// what a quote of it shows.
func (c *WeChatClient) sentResponse(res *wechat.SendResult, snippet string) *bridgev2.MatrixMessageResponse {
	return &bridgev2.MatrixMessageResponse{DB: &database.Message{
		ID:        wxid.MakeMessageID(res.MsgID),
		SenderID:  wxid.MakeSelfUserID(c.login.ID),
		Timestamp: res.Time,
		Metadata:  &msgconv.MessageMetadata{ClientMsgID: res.ClientMsgID, Text: snippet},
	}}
}

// chatUserName is the current session UserName of a portal's chat.
func (c *WeChatClient) chatUserName(ctx context.Context, r *puidRoster, puid string) (string, error) {
	if name, ok := r.userName(puid); ok {
		return name, nil
	}
	name, err := c.conn.DB.Identity.UserNameOf(ctx, c.loginID, puid)
	if err != nil {
		return "", fmt.Errorf("looking up the chat's UserName: %w", err)
	} else if name == "" {
		return "", ErrChatNotInSession
	}
	return name, nil
}
