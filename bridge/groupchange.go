package bridge

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/wechat"
)

// changesGroup reports whether a system message of a group says that its
// members or name changed.
func changesGroup(kind wechat.SystemKind) bool {
	switch kind {
	case wechat.SystemJoin, wechat.SystemRemove, wechat.SystemRemovedSelf, wechat.SystemRename:
		return true
	}
	return false
}

// refreshGroup fetches a group's record after a system message said it
// changed, and brings the portal's name and members up to date. The server
// usually sends the new record in a ModContactList too, but not always at
// once; asking makes the portal follow the message either way.
func (c *WeChatClient) refreshGroup(ctx context.Context, group string) {
	log := zerolog.Ctx(ctx).With().Str("action", "refresh group").Logger()
	wx, r := c.currentSession()
	if wx == nil || r == nil {
		return
	}
	cts, err := wx.BatchGetContacts(ctx, []wechat.BatchContactRequestItem{{UserName: group}})
	if err != nil {
		log.Warn().Err(err).Msg("Failed to fetch a changed group; its portal follows the next contact update")
		return
	}
	for _, ct := range cts {
		if ct.UserName == group {
			r.put(ct)
			c.updateContacts(ctx, r, []string{group})
		}
	}
}
