package bridge

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

var (
	_ bridgev2.RedactionHandlingNetworkAPI   = (*WeChatClient)(nil)
	_ bridgev2.ReadReceiptHandlingNetworkAPI = (*WeChatClient)(nil)
)

// Errors of recalls, shown as the redaction's status.
var (
	ErrRecallNotOwn = bridgev2.WrapErrorInStatus(errors.New("WeChat lets you recall only your own messages; the message stays in WeChat")).
			WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported)
	ErrRecallNotFromMatrix = bridgev2.WrapErrorInStatus(errors.New("the bridge can recall only messages sent from Matrix; recall this one on your phone")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported)
	ErrRecallTooLate = bridgev2.WrapErrorInStatus(errors.New("WeChat allows recalling a message only within 2 minutes of sending it; the message stays in WeChat")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported)
)

// HandleMatrixMessageRemove recalls a message the user sent through the
// bridge (webwxrevokemsg), within WeChat's 2-minute window.
func (c *WeChatClient) HandleMatrixMessageRemove(ctx context.Context, msg *bridgev2.MatrixMessageRemove) error {
	wx, r := c.currentSession()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return bridgev2.ErrNotLoggedIn
	}
	target := msg.TargetMessage
	if target.SenderID != wxid.MakeSelfUserID(c.login.ID) {
		return ErrRecallNotOwn
	}
	meta, _ := target.Metadata.(*msgconv.MessageMetadata)
	if meta == nil || meta.ClientMsgID == "" {
		return ErrRecallNotFromMatrix
	}
	msgID, err := wxid.ParseMessageID(target.ID)
	if err != nil {
		return err
	}
	to, err := c.chatUserName(ctx, r, string(msg.Portal.ID))
	if err != nil {
		return err
	}
	err = wx.Revoke(ctx, to, &wechat.SendResult{MsgID: msgID, ClientMsgID: meta.ClientMsgID, Time: target.Timestamp})
	switch {
	case errors.Is(err, wechat.ErrRevokeWindowPassed):
		return ErrRecallTooLate
	case err != nil:
		zerolog.Ctx(ctx).Err(err).Msg("Failed to recall a message in WeChat")
		return bridgev2.WrapErrorInStatus(fmt.Errorf("WeChat did not recall the message: %w", err)).WithErrorAsMessage().WithSendNotice(true)
	}
	return nil
}

// HandleMatrixReadReceipt marks the chat read in WeChat, so the phone stops
// counting it as unread.
func (c *WeChatClient) HandleMatrixReadReceipt(ctx context.Context, receipt *bridgev2.MatrixReadReceipt) error {
	wx, r := c.currentSession()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return bridgev2.ErrNotLoggedIn
	}
	to, err := c.chatUserName(ctx, r, string(receipt.Portal.ID))
	if err != nil {
		return err
	}
	return wx.MarkRead(ctx, to)
}
