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

// fnRemark is the `remark` command. In the room of a friend's chat,
// `remark [name]` sets the friend's remark name on WeChat (webwxoplog
// CmdId 2), or clears it without a name; anywhere else `remark <friend> =
// [name]` does the same for the friend named by WeChat ID, remark name,
// nickname or PUID. The ghost's display name follows when WeChat sends the
// contact's new record (ModContactList), through displayname_template.
func (wc *WeChatConnector) fnRemark(ce *commands.Event) {
	h := hintsFor(ce)
	usage := "Send " + h.cmd("remark <name>") + " in the room of a WeChat friend's chat to set their remark name " +
		"(" + h.cmd("remark") + " alone there clears it), or " + h.cmd("remark <friend> = <name>") + " here."
	args := strings.TrimSpace(ce.RawArgs)
	var target string
	if ce.Portal == nil {
		var ok bool
		target, args, ok = strings.Cut(args, "=")
		target, args = strings.TrimSpace(target), strings.TrimSpace(args)
		if !ok || target == "" {
			reply(ce, plainText, usage)
			return
		}
	}
	remark := args
	if strings.ContainsFunc(remark, unicode.IsControl) {
		reply(ce, plainText, "A remark name is one line: send it again without line breaks.")
		return
	}
	c, msg := wc.remarkClient(ce)
	if msg != "" {
		reply(ce, plainText, msg)
		return
	}
	wx, r := c.currentSession()
	if wx == nil || r == nil {
		reply(ce, plainText, "The bridge is not connected to WeChat right now, so the remark name was not set. "+
			"Try again once it is connected (the bridge's status in your management room says when).")
		return
	}
	var ct *wechat.Contact
	if ce.Portal == nil {
		if ct, msg = findFriend(r, target); msg != "" {
			reply(ce, plainText, msg)
			return
		}
	} else {
		userName, err := c.chatUserName(ce.Ctx, r, string(ce.Portal.ID))
		if err != nil {
			if !errors.Is(err, ErrChatNotInSession) {
				ce.Log.Err(err).Msg("Failed to look up the chat of a remark")
			}
			reply(ce, plainText, "This chat is not in your current WeChat session (the contact may have been deleted), so the remark name was not set.")
			return
		}
		if ct = r.contact(userName); ct == nil || ct.Kind() != wechat.KindFriend {
			reply(ce, plainText, "Remark names are for WeChat friends, and this chat is not with a friend. "+
				"Send "+h.cmd("remark <name>")+" in the room of a friend's chat.")
			return
		}
	}
	who := oneLine(ct.NickName)
	if err := wx.SetRemarkName(ce.Ctx, ct.UserName, remark); err != nil {
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

// remarkClient picks the login a remark is for: the portal's, which must be
// the sender's, or else the sender's only login. msg says why there is none.
func (wc *WeChatConnector) remarkClient(ce *commands.Event) (c *WeChatClient, msg string) {
	own := ce.User.GetUserLogins()
	var login *bridgev2.UserLogin
	switch {
	case ce.Portal != nil:
		i := slices.IndexFunc(own, func(l *bridgev2.UserLogin) bool { return l.ID == ce.Portal.Receiver })
		if i < 0 {
			return nil, "This room is the chat of a WeChat login that is not yours: only its owner can set remark names in it."
		}
		login = own[i]
	case len(own) == 1:
		login = own[0]
	default:
		return nil, "You have several WeChat logins: send the command in the room of the friend's chat, so that it is clear which account it is for."
	}
	c, ok := login.Client.(*WeChatClient)
	if !ok {
		return nil, "Your WeChat login is not loaded. Try again in a moment."
	}
	return c, ""
}

// findFriend finds the one friend a name means: WeChat ID, remark name or
// nickname (ignoring case), or PUID. msg says why there is not exactly one.
func findFriend(r *puidRoster, name string) (ct *wechat.Contact, msg string) {
	found := r.contactsMatching(false, func(puid string, ct *wechat.Contact) bool {
		return puid == name || strings.EqualFold(ct.Alias, name) ||
			strings.EqualFold(wechat.CleanName(ct.RemarkName), name) ||
			strings.EqualFold(wechat.CleanName(ct.NickName), name)
	})
	switch len(found) {
	case 0:
		return nil, fmt.Sprintf("No WeChat friend is called \"%s\". Check the name, or send the command in the friend's chat.", oneLine(name))
	case 1:
		return found[0].contact, ""
	}
	ids := make([]string, 0, len(found))
	for _, m := range found {
		ids = append(ids, m.puid)
	}
	slices.Sort(ids)
	return nil, fmt.Sprintf("%d friends are called \"%s\" (IDs %s): name one by its ID, or send the command in the friend's chat.",
		len(found), oneLine(name), strings.Join(ids, ", "))
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
