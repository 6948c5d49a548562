package bridge

import (
	"context"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/simplevent"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	"github.com/wxbridge/wxbridge/wechat"
)

// syncChats makes sure every chat the user has in WeChat has its portal, up
// to date: the groups, the file helper and the recent chats (see
// roster.chatsToSync). It runs after every connect; bridgev2 creates missing
// rooms and updates names, avatars and members of existing ones.
func (c *WeChatClient) syncChats(ctx context.Context, r *puidRoster) {
	log := zerolog.Ctx(ctx).With().Str("action", "sync chats").Logger()
	ctx = log.WithContext(ctx)
	chats := r.chatsToSync(c.conn.Config.BridgeOfficialAccounts)
	synced := 0
	for _, userName := range chats {
		if ctx.Err() != nil {
			return
		}
		puid, err := c.puidFor(ctx, r, userName, "")
		if err != nil {
			log.Err(err).Msg("Failed to resolve a chat, skipping it")
			continue
		}
		if res := c.resyncChat(puid, true); !res.Success {
			log.Err(res.Error).Str("chat_puid", puid).Msg("Failed to sync a chat")
			continue
		}
		synced++
	}
	log.Info().Int("chats", len(chats)).Int("synced", synced).Msg("Synced chats")
}

// resyncChat brings the portal of a chat up to date with GetChatInfo, and
// creates its room if create is set and it has none.
func (c *WeChatClient) resyncChat(puid string, create bool) bridgev2.EventHandlingResult {
	defer c.chatLocks.lock(puid)()
	return c.queueResync(puid, create)
}

// queueResync is resyncChat for a caller that holds the chat's lock.
func (c *WeChatClient) queueResync(puid string, create bool) bridgev2.EventHandlingResult {
	return c.login.QueueRemoteEvent(&simplevent.ChatResync{
		EventMeta: simplevent.EventMeta{
			Type:         bridgev2.RemoteEventChatResync,
			PortalKey:    wxid.MakePortalKey(puid, c.login.ID),
			CreatePortal: create,
			LogContext: func(lc zerolog.Context) zerolog.Context {
				return lc.Str("chat_puid", puid)
			},
		},
		GetChatInfoFunc: c.GetChatInfo,
	})
}

// updateContacts brings ghosts and group portals up to date with contact
// records that changed during the session (ModContactList): names, avatars,
// group members and pins. Portals are only updated, never created, here.
func (c *WeChatClient) updateContacts(ctx context.Context, r *puidRoster, userNames []string) {
	log := zerolog.Ctx(ctx).With().Str("action", "update contacts").Logger()
	ctx = log.WithContext(ctx)
	for _, userName := range userNames {
		puid, ok := r.puid(userName)
		if !ok {
			continue
		}
		ct := r.contact(userName)
		if ct == nil || !bridgeable(ct, c.conn.Config.BridgeOfficialAccounts) {
			continue
		}
		if ct.Kind() == wechat.KindGroup {
			c.resyncChat(puid, false)
			continue
		}
		ghost, err := c.conn.Bridge.GetGhostByID(ctx, wxid.MakeUserID(puid))
		if err != nil {
			log.Err(err).Str("puid", puid).Msg("Failed to load a ghost")
			continue
		}
		ghost.UpdateInfo(ctx, c.userInfo(ct, ct.UserName))
		// The DM's own state, the pin (favourite tag) among it.
		c.resyncChat(puid, false)
	}
}
