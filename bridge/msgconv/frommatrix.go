package msgconv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// Errors of Matrix → WeChat sends, shown to the user as the message's status.
var (
	ErrMediaNotSupported = bridgev2.WrapErrorInStatus(errors.New("WeChat cannot receive this kind of message from the bridge; send text, a picture, a video, a file, a sticker or a location instead")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported)
	ErrEmptyMessage = bridgev2.WrapErrorInStatus(errors.New("the message has no text to send to WeChat")).
			WithIsCertain(true).WithErrorAsMessage().WithErrorReason(event.MessageStatusUnsupported)
)

// SendToWeChat converts a Matrix message and sends it through the session
// cl to the chat to (its session UserName): text here, media in
// frommatrix_media.go, locations in frommatrix_location.go; other kinds are
// refused. It returns WeChat's answer and what a quote of the message shows
// (see quoteSnippet). Its errors are statuses the sender sees.
func (mc *MessageConverter) SendToWeChat(ctx context.Context, cl Client, to string, msg *bridgev2.MatrixMessage) (*wechat.SendResult, string, error) {
	var res *wechat.SendResult
	var shown string
	var err error
	switch msg.Content.MsgType {
	case event.MsgText, event.MsgNotice, event.MsgEmote:
		res, shown, err = sendText(ctx, cl, to, msg)
	case event.MsgImage, event.MsgVideo, event.MsgFile, event.MsgAudio, event.CapMsgSticker:
		res, shown, err = mc.sendMedia(ctx, cl, to, msg)
	case event.MsgLocation:
		res, shown, err = sendLocation(ctx, cl, to, msg)
	default:
		if msg.Event == nil || msg.Event.Type != event.EventSticker {
			return nil, "", ErrMediaNotSupported
		}
		res, shown, err = mc.sendMedia(ctx, cl, to, msg)
	}
	if err != nil {
		return nil, "", err
	}
	return res, quoteSnippet(shown), nil
}

// sendText sends an m.text, m.notice or m.emote, flattened, with its
// mentions and the quote of what it replies to.
func sendText(ctx context.Context, cl Client, to string, msg *bridgev2.MatrixMessage) (*wechat.SendResult, string, error) {
	text, mentions := TextFromMatrix(msg.Content, mentionedMembers(cl, to))
	if strings.TrimSpace(text) == "" {
		return nil, "", ErrEmptyMessage
	}
	// WeChat web cannot send real quotes: a reply goes in the flattened
	// form the phone shows for quotes.
	res, err := cl.SendText(ctx, to, quotePrefix(cl, msg.ReplyTo)+text, mentions)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to send a message to WeChat")
		return nil, "", SendError(err)
	}
	return res, text, nil
}

// SendError turns a failed send into the status the user sees. When
// WeChat answered that the session ended or that we send too often, the
// message certainly did not reach WeChat, and the status says so.
func SendError(err error) error {
	var reason string
	certain := false
	switch {
	case errors.Is(err, wechat.ErrLoggedOut):
		reason, certain = "WeChat ended the session; send `login` to the bridge bot to log in again, then resend", true
	case errors.Is(err, wechat.ErrTooFrequent):
		reason, certain = "WeChat refused the message because too many were sent in a short time; wait a minute and resend", true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		reason = "sending to WeChat timed out"
	default:
		reason = "WeChat did not accept the message"
	}
	return bridgev2.WrapErrorInStatus(fmt.Errorf("%s: %w", reason, err)).WithErrorAsMessage().WithSendNotice(true).WithIsCertain(certain)
}
