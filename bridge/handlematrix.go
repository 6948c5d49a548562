package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// Errors of Matrix → WeChat sends, shown to the user as the message's status.
var (
	ErrMediaNotSupported = bridgev2.WrapErrorInStatus(errors.New("WeChat cannot receive this kind of message from the bridge; send text, a picture, a video, a file, a sticker or a location instead")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported)
	ErrChatNotInSession = bridgev2.WrapErrorInStatus(errors.New("this chat is not in your current WeChat session (the contact may have been deleted); the message was not sent")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true)
	ErrEmptyMessage = bridgev2.WrapErrorInStatus(errors.New("the message has no text to send to WeChat")).
			WithIsCertain(true).WithErrorAsMessage().WithErrorReason(event.MessageStatusUnsupported)
)

// HandleMatrixMessage sends a Matrix message to the chat's current
// UserName: text here, media and locations in sendmedia.go. The message ID
// is the one WeChat returns, so the echo of the message in the next sync is
// recognised as already bridged.
func (c *WeChatClient) HandleMatrixMessage(ctx context.Context, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	resp, err := c.sendMatrixMessage(ctx, msg)
	c.countOutbound(msg, err)
	return resp, err
}

// sendMatrixMessage is HandleMatrixMessage without the metrics.
func (c *WeChatClient) sendMatrixMessage(ctx context.Context, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	wx, r := c.currentWX(), c.currentRoster()
	if wx == nil || r == nil || !c.IsLoggedIn() {
		return nil, bridgev2.ErrNotLoggedIn
	}
	to, err := c.chatUserName(ctx, r, string(msg.Portal.ID))
	if err != nil {
		return nil, err
	}
	switch msg.Content.MsgType {
	case event.MsgText, event.MsgNotice, event.MsgEmote:
	case event.MsgImage, event.MsgVideo, event.MsgFile, event.MsgAudio, event.CapMsgSticker:
		return c.sendMedia(ctx, wx, r, to, msg)
	case event.MsgLocation:
		return c.sendLocation(ctx, wx, to, msg)
	default:
		if msg.Event != nil && msg.Event.Type == event.EventSticker {
			return c.sendMedia(ctx, wx, r, to, msg)
		}
		return nil, ErrMediaNotSupported
	}
	text, mentions := msgconv.TextFromMatrix(msg.Content, c.mentionedMembers(r, to))
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmptyMessage
	}
	// WeChat web cannot send real quotes: a reply goes in the flattened
	// form the phone shows for quotes.
	res, err := wx.SendText(ctx, to, msgconv.QuotePrefix(c.convClient(wx, r), msg.ReplyTo)+text, mentions)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to send a message to WeChat")
		return nil, sendError(err)
	}
	return c.sentResponse(res, text), nil
}

// sentResponse is the message to save for a message sent to WeChat: its
// server ID, so the echo is recognised, the client ID recalls need, and
// what a quote of it shows (see quoteSnippet).
func (c *WeChatClient) sentResponse(res *wechat.SendResult, snippet string) *bridgev2.MatrixMessageResponse {
	return &bridgev2.MatrixMessageResponse{DB: &database.Message{
		ID:        wxid.MakeMessageID(res.MsgID),
		SenderID:  wxid.MakeSelfUserID(c.login.ID),
		Timestamp: res.Time,
		Metadata:  &msgconv.MessageMetadata{ClientMsgID: res.ClientMsgID, Text: msgconv.QuoteSnippet(snippet)},
	}}
}

// chatUserName is the current session UserName of a portal's chat.
func (c *WeChatClient) chatUserName(ctx context.Context, r *roster, puid string) (string, error) {
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

// sendError turns a failed send into the status the user sees.
func sendError(err error) error {
	var reason string
	switch {
	case errors.Is(err, wechat.ErrLoggedOut):
		reason = "WeChat ended the session; send `login` to the bridge bot to log in again, then resend"
	case errors.Is(err, wechat.ErrTooFrequent):
		reason = "WeChat refused the message because too many were sent in a short time; wait a minute and resend"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		reason = "sending to WeChat timed out"
	default:
		reason = "WeChat did not accept the message"
	}
	return bridgev2.WrapErrorInStatus(fmt.Errorf("%s: %w", reason, err)).WithErrorAsMessage().WithSendNotice(true)
}
