package bridge

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix/bridgev2/status"

	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// inboxPayload is what one inbox item holds: the raw message as the server
// sent it, the self UserName of the session it came from (needed to tell who
// wrote it), and the PUIDs of its chat and sender as that session knew them.
// The PUIDs matter when an item is bridged after a re-login: by then every
// UserName in the raw message belongs to a dead session.
type inboxPayload struct {
	Self       string             `json:"self"`
	Message    *wechat.RawMessage `json:"msg"`
	ChatPUID   string             `json:"chat_puid,omitempty"`
	SenderPUID string             `json:"sender_puid,omitempty"`
}

// handleEvent receives the sync loop's events. It runs on the loop's
// goroutine: it must not call Stop, and a Batch counts as delivered only when
// it returns nil.
func (c *WeChatClient) handleEvent(ctx context.Context, evt wechat.Event) error {
	switch evt := evt.(type) {
	case *wechat.Batch:
		return c.storeBatch(ctx, evt)
	case *wechat.Connected:
		c.loggedIn.Store(true)
		c.sendState(status.StateConnected, "", "")
	case *wechat.TransientDisconnect:
		c.sendState(status.StateTransientDisconnect, WXTransient, evt.Err.Error())
	case *wechat.LoggedOut:
		c.markLoggedOut(ctx, evt.Ret, evt.Reason)
	}
	return nil
}

// storeBatch applies contact changes to the roster and identity layer (and
// queues the ghost and portal updates they call for on c.jobs), then writes
// the messages and the session that follows them to the inbox in one
// transaction, and wakes the drain.
func (c *WeChatClient) storeBatch(ctx context.Context, b *wechat.Batch) error {
	r := c.currentRoster()
	if r == nil {
		return fmt.Errorf("bridge: batch before the roster was loaded")
	}
	for _, dc := range b.DelContacts {
		r.remove(dc.UserName)
	}
	if len(b.ModContacts) > 0 {
		res, err := c.conn.DB.Identity.MapMore(ctx, c.loginID, identityContacts(b.ModContacts))
		if err != nil {
			return fmt.Errorf("resolving changed contacts: %w", err)
		}
		changed := make([]string, 0, len(b.ModContacts))
		for _, ct := range b.ModContacts {
			r.put(ct)
			changed = append(changed, ct.UserName)
		}
		r.addResolution(res)
		c.countResolution(res)
		// Not on the sync loop's goroutine: updating rooms takes requests.
		for _, userName := range changed {
			c.jobs.add(ctx, "update contact "+userName, func(ctx context.Context) {
				c.updateContacts(ctx, r, []string{userName})
			})
		}
	}
	items, err := c.inboxItems(ctx, r, b)
	if err != nil {
		return err
	}
	state, err := encodeSession(b.State)
	if err != nil {
		return err
	}
	if err = c.inbox.StoreBatch(ctx, c.loginID, state, items); err != nil {
		c.sendState(status.StateTransientDisconnect, WXInboxFailed, "")
		return err
	}
	if len(items) > 0 {
		select {
		case c.drainNow <- struct{}{}:
		default:
		}
	}
	return nil
}

// inboxItems encodes the messages of a batch for the inbox, with the PUIDs
// of their chats and senders.
func (c *WeChatClient) inboxItems(ctx context.Context, r *puidRoster, b *wechat.Batch) ([]wxdb.InboxItem, error) {
	self := r.selfUserName()
	items := make([]wxdb.InboxItem, 0, len(b.Messages))
	for _, m := range b.Messages {
		if m.Raw == nil {
			continue
		}
		p := inboxPayload{Self: self, Message: m.Raw}
		if chat := chatOf(m); needsPUIDs(m) && c.shouldBridge(r, chat) {
			var err error
			if r.contact(chat) == nil && !wechat.IsSpecialUserName(chat) {
				// A chat the roster has no record of is fetched and matched
				// on its full record when the message is bridged
				// (unknownChatPUID), not here: the sync loop waits for this
				// batch. Only an identity already holding it counts here.
				p.ChatPUID, err = c.storedPUID(ctx, r, chat)
			} else {
				p.ChatPUID, err = c.puidFor(ctx, r, chat, "")
			}
			if err != nil {
				return nil, err
			}
			if m.IsGroup && !m.FromSelf && m.Sender != "" && m.Sender != m.Chat {
				// A member no identity holds yet is fetched through the
				// group when the message is bridged (senderOf), not here:
				// the sync loop waits for this batch.
				if p.SenderPUID, err = c.storedPUID(ctx, r, m.Sender); err != nil {
					return nil, err
				}
			}
		}
		payload, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encoding message %d: %w", m.ID, err)
		}
		items = append(items, wxdb.InboxItem{MsgID: m.ID, Payload: payload})
	}
	return items, nil
}

// needsPUIDs reports whether a message will be bridged into a chat.
func needsPUIDs(m *wechat.Message) bool {
	if _, ok := m.Content.(*wechat.SysNotice); ok {
		return false
	}
	return chatOf(m) != ""
}

// chatOf is the chat a message belongs to: for a status notify saying the
// user read a chat on the phone that chat, else the message's chat.
func chatOf(m *wechat.Message) string {
	if sn, ok := m.Content.(*wechat.StatusNotify); ok {
		if isReadNotify(sn) && len(sn.UserNames) > 0 {
			return sn.UserNames[0]
		}
		return ""
	}
	return m.Chat
}

// isReadNotify reports whether a status notify means the user read a chat
// on the phone: marked it read (1) or opened it (2).
func isReadNotify(sn *wechat.StatusNotify) bool {
	return sn.Code == wechat.StatusNotifyRead || sn.Code == wechat.StatusNotifyEnterSession
}

// shouldBridge reports whether messages of a chat are bridged: not those of
// official accounts unless the config asks for them, nor those of WeChat's
// own service accounts except the file helper. Unknown chats (strangers, new
// groups) are.
func (c *WeChatClient) shouldBridge(r *puidRoster, chat string) bool {
	ct := r.contact(chat)
	if ct == nil {
		return !wechat.IsSpecialUserName(chat) || chat == wechat.FileHelper
	}
	return bridgeable(ct, c.conn.Config.BridgeOfficialAccounts)
}
