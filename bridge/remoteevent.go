package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/simplevent"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// remoteEvent turns an inbox item into a bridgev2 remote event, or nil for
// items that are not bridged (status notifies, notices).
func (c *WeChatClient) remoteEvent(ctx context.Context, d *drainItem) (bridgev2.RemoteEvent, error) {
	p, m := &d.payload, d.msg
	if fr, ok := m.Content.(*wechat.FriendRequest); ok {
		return nil, c.handleFriendRequest(ctx, m, fr)
	}
	wx, r := c.currentSession()
	chat := chatOf(m)
	log := zerolog.Ctx(ctx)
	if chat == "" || (p.ChatPUID == "" && !c.shouldBridge(r, chat)) {
		log.Debug().Int("msg_type", m.Type).Msg("Not bridging a message from an account that is not bridged")
		return nil, nil
	}
	var media *msgconv.FetchedMedia
	switch mc := m.Content.(type) {
	case *wechat.Recall:
		if mc.MsgID == 0 {
			log.Debug().Msg("Not bridging a recall that names no message")
			return nil, nil
		}
	case *wechat.StatusNotify:
		if !isReadNotify(mc) {
			return nil, nil
		}
	case *wechat.Image, *wechat.Emoticon, *wechat.Voice, *wechat.Video, *wechat.File:
		if wx == nil {
			return nil, bridgev2.ErrNotLoggedIn
		}
		var err error
		if media, err = c.conn.msgConv.FetchMedia(ctx, c.convClient(wx, r), m, wxid.MakeMessageID(m.ID)); err != nil {
			return nil, err
		}
	case *wechat.SysNotice:
		log.Debug().Int("msg_type", m.Type).Msg("Not bridging a system notice")
		return nil, nil
	}
	chatPUID, err := c.currentPUID(ctx, r, p.ChatPUID)
	if err != nil {
		return nil, err
	}
	if isUnknownChat(wx, r, chat, p.Self) {
		fetched, bridged, err := c.unknownChatPUID(ctx, wx, r, chat)
		if err != nil {
			return nil, err
		} else if !bridged {
			log.Debug().Msg("Not bridging a message from a fetched chat that is not bridged")
			return nil, nil
		}
		if chatPUID == "" {
			chatPUID = fetched
		}
	} else if chatPUID == "" {
		if chatPUID, err = c.puidFor(ctx, r, chat, ""); err != nil {
			return nil, err
		}
	}
	sender, err := c.senderOf(ctx, r, m, p, chatPUID)
	if err != nil {
		return nil, err
	}
	meta := simplevent.EventMeta{
		Type:      bridgev2.RemoteEventMessage,
		PortalKey: wxid.MakePortalKey(chatPUID, c.login.ID),
		Sender:    sender,
		Timestamp: m.Time,
		LogContext: func(lc zerolog.Context) zerolog.Context {
			return lc.Int64("new_msg_id", m.ID).Int("msg_type", m.Type)
		},
	}
	switch mc := m.Content.(type) {
	case *wechat.Recall:
		meta.Type = bridgev2.RemoteEventMessageRemove
		return &simplevent.MessageRemove{EventMeta: meta, TargetMessage: wxid.MakeMessageID(mc.MsgID)}, nil
	case *wechat.StatusNotify:
		// Read on the phone: everything in the chat up to now.
		meta.Type = bridgev2.RemoteEventReadReceipt
		meta.Sender = c.selfSender()
		return &simplevent.Receipt{EventMeta: meta, ReadUpTo: m.Time}, nil
	}
	meta.CreatePortal = true
	msgID := wxid.MakeMessageID(m.ID)
	if media != nil {
		return &simplevent.Message[*msgconv.FetchedMedia]{
			EventMeta: meta, ID: msgID, Data: media, ConvertMessageFunc: c.conn.msgConv.UploadMedia,
		}, nil
	}
	if sys, ok := m.Content.(*wechat.System); ok && m.IsGroup && changesGroup(sys.Kind) {
		c.jobs.add(ctx, "refresh group "+m.Chat, func(ctx context.Context) {
			c.refreshGroup(ctx, m.Chat)
		})
	}
	conv := c.conn.msgConv.ToMatrix(ctx, c.convClient(nil, r), m, meta.PortalKey, msgID)
	return &simplevent.PreConvertedMessage{EventMeta: meta, ID: msgID, Data: conv}, nil
}

// senderOf tells who wrote a message: the user (from the phone), the peer of
// a direct chat, a group member, or nobody (a group's own notices, sent by
// the bridge bot).
func (c *WeChatClient) senderOf(ctx context.Context, r *puidRoster, m *wechat.Message, p *inboxPayload, chatPUID string) (bridgev2.EventSender, error) {
	if m.IsGroup && !m.FromSelf && m.Sender != "" && m.Sender != m.Chat {
		r.markWritten(m.Sender)
	}
	switch {
	case m.FromSelf:
		return c.selfSender(), nil
	case !m.IsGroup:
		return bridgev2.EventSender{Sender: wxid.MakeUserID(chatPUID)}, nil
	case p.SenderPUID != "":
		senderPUID, err := c.currentPUID(ctx, r, p.SenderPUID)
		return bridgev2.EventSender{Sender: wxid.MakeUserID(senderPUID)}, err
	case m.Sender != "" && m.Sender != m.Chat:
		senderPUID, err := c.puidFor(ctx, r, m.Sender, m.Chat)
		return bridgev2.EventSender{Sender: wxid.MakeUserID(senderPUID)}, err
	}
	return bridgev2.EventSender{}, nil
}
