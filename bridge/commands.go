package bridge

import (
	"maunium.net/go/mautrix/bridgev2/commands"
)

// helpSectionIdentities groups our identity commands in `help`, after
// bridgev2's "Administration" (order 50).
var helpSectionIdentities = commands.HelpSection{Name: "WeChat identities", Order: 60}

// commandList is every command wxbridge adds to bridgev2's, with its help
// section and text. Each group's handlers are in its cmd_*.go file; what
// they share (replies, hints, picking the login) is in cmd_helpers.go.
func (wc *WeChatConnector) commandList() []commands.CommandHandler {
	return []commands.CommandHandler{
		// cmd_identities.go
		&commands.FullHandler{
			Func: wc.fnIdentities,
			Name: "identities",
			Help: commands.HelpMeta{
				Section: helpSectionIdentities,
				Description: "List the WeChat contacts and groups of a login with their PUIDs, to find duplicates. " +
					"A login ID is all digits: to search for digits, name the login first.",
				Args: "[_login ID_] [_search text_]",
			},
			RequiresAdmin: true,
		},
		// cmd_merge.go
		&commands.FullHandler{
			Func: wc.fnMergeIdentities,
			Name: "merge-identities",
			Help: commands.HelpMeta{
				Section: helpSectionIdentities,
				Description: "Declare two PUIDs the same WeChat contact or group: the dropped one's room and " +
					"messages move to the kept one. Cannot be undone.",
				Args: "[_login ID_] <_kept PUID_> <_dropped PUID_>",
			},
			RequiresAdmin: true,
		},
		// cmd_friends.go
		&commands.FullHandler{
			Func: wc.fnFriendRequests,
			Name: "friend-requests",
			Help: commands.HelpMeta{
				Section:     commands.HelpSectionChats,
				Description: "List the WeChat friend requests you have not answered yet, with the numbers to accept them by.",
			},
			RequiresLogin: true,
		},
		&commands.FullHandler{
			Func: wc.fnAcceptFriend,
			Name: "accept-friend",
			Help: commands.HelpMeta{
				Section: commands.HelpSectionChats,
				Description: "Accept a WeChat friend request, by the number in its notice or in `friend-requests`, " +
					"or by the requester's name or WeChat ID.",
				Args: "[_login ID_] <_number_ | _name_>",
			},
			RequiresLogin: true,
		},
		// cmd_remark.go
		&commands.FullHandler{
			Func: wc.fnRemark,
			Name: "remark",
			Help: commands.HelpMeta{
				Section: commands.HelpSectionChats,
				Description: "Set a WeChat friend's remark name, which their name here follows; without a name, clear it. " +
					"In the friend's chat send the name alone; elsewhere name the friend first.",
				Args: "[_friend_ =] [_name_]",
			},
			RequiresLogin: true,
		},
	}
}

// registerCommands adds our commands to bridgev2's processor. It runs in
// Init: bridgev2.NewBridge creates the processor before it calls Init.
func (wc *WeChatConnector) registerCommands() {
	proc, ok := wc.Bridge.Commands.(*commands.Processor)
	if !ok {
		wc.Bridge.Log.Warn().Type("processor", wc.Bridge.Commands).
			Msg("Unknown command processor: the WeChat commands are not available")
		return
	}
	proc.AddHandlers(wc.commandList()...)
}
