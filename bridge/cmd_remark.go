package bridge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/commands"

	"github.com/wxbridge/wxbridge/wechat"
)

// fnRemark is the `remark [name]` command, sent in the room of a friend's
// chat: it sets the friend's remark name on WeChat (webwxoplog CmdId 2), or
// clears it without a name. The ghost's display name follows when WeChat
// sends the contact's new record (ModContactList), through
// displayname_template.
func (wc *WeChatConnector) fnRemark(ce *commands.Event) {
	h := hintsFor(ce)
	if ce.Portal == nil {
		reply(ce, plainText, "Send "+h.cmd("remark <name>")+" in the room of the WeChat friend's chat to set their remark name, "+
			"or "+h.cmd("remark")+" alone there to clear it.")
		return
	}
	remark := strings.TrimSpace(ce.RawArgs)
	if strings.ContainsFunc(remark, unicode.IsControl) {
		reply(ce, plainText, "A remark name is one line: send it again without line breaks.")
		return
	}
	own := ce.User.GetUserLogins()
	i := slices.IndexFunc(own, func(l *bridgev2.UserLogin) bool { return l.ID == ce.Portal.Receiver })
	if i < 0 {
		reply(ce, plainText, "This room is the chat of a WeChat login that is not yours: only its owner can set remark names in it.")
		return
	}
	c, ok := own[i].Client.(*WeChatClient)
	if !ok {
		reply(ce, plainText, "The WeChat login of this chat is not loaded. Try again in a moment.")
		return
	}
	wx, r := c.currentSession()
	if wx == nil || r == nil {
		reply(ce, plainText, "The bridge is not connected to WeChat right now, so the remark name was not set. "+
			"Try again once it is connected (the bridge's status in your management room says when).")
		return
	}
	userName, err := c.chatUserName(ce.Ctx, r, string(ce.Portal.ID))
	if err != nil {
		if !errors.Is(err, ErrChatNotInSession) {
			ce.Log.Err(err).Msg("Failed to look up the chat of a remark")
		}
		reply(ce, plainText, "This chat is not in your current WeChat session (the contact may have been deleted), so the remark name was not set.")
		return
	}
	ct := r.contact(userName)
	if ct == nil || ct.Kind() != wechat.KindFriend {
		reply(ce, plainText, "Remark names are for WeChat friends, and this chat is not with a friend. "+
			"Send "+h.cmd("remark <name>")+" in the room of a friend's chat.")
		return
	}
	who := oneLine(ct.NickName)
	if err = wx.SetRemarkName(ce.Ctx, userName, remark); err != nil {
		ce.Log.Err(err).Msg("Failed to set a remark name")
		reply(ce, plainText, fmt.Sprintf("WeChat did not take the remark name for %s (%s). Nothing changed; try again later or set it on your phone.", who, describeWeChatError(err)))
		return
	}
	what := fmt.Sprintf("WeChat accepted the remark name \"%s\" for %s.", oneLine(remark), who)
	if remark == "" {
		what = fmt.Sprintf("WeChat accepted clearing the remark name of %s.", who)
	}
	reply(ce, plainText, what+" Their name here changes when WeChat sends back the new contact record; "+
		"if it does not change on your phone either, WeChat's web protocol no longer applies remark names for your account: set it on the phone.")
}

// describeWeChatError says in a few words why a WeChat call failed.
func describeWeChatError(err error) string {
	var retErr *wechat.RetError
	switch {
	case errors.Is(err, wechat.ErrLoggedOut):
		return "WeChat signed the bridge out"
	case errors.Is(err, wechat.ErrTooFrequent):
		return "too many requests in a short time"
	case errors.As(err, &retErr):
		return fmt.Sprintf("it answered with error %d", retErr.Ret)
	}
	return "the request failed"
}
