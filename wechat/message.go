package wechat

import "time"

// Message is one parsed AddMsgList item. Content holds the typed view of
// what it carries; unknown kinds become *Unsupported, never an error.
type Message struct {
	// ID is NewMsgId (MsgId when NewMsgId is missing): the stable message
	// ID. It exceeds 2^53 and is never handled as a float.
	ID int64
	// MsgID is MsgId as the server sent it, for downloads and revokes.
	MsgID string
	// Type is the MsgType.
	Type int
	// Chat is the UserName of the conversation: the peer of a 1:1 chat,
	// the @@ group, or a special account such as filehelper.
	Chat string
	// Sender is the UserName of who wrote it: the group member for group
	// messages (taken from the "@sender:<br/>" content prefix, which is
	// removed before Content is parsed), the self UserName for messages
	// sent from another device of the user, and the group itself for group
	// messages without a prefix (system messages, notices, status notifies).
	Sender string
	// FromSelf is true for messages the user sent from another device:
	// FromUserName is self (or empty), or a group prefix names self.
	FromSelf bool
	// IsGroup is true when Chat is a group.
	IsGroup bool
	// Time is CreateTime.
	Time time.Time
	// Content is the typed view; never nil.
	Content Content
	// Raw is the item as received.
	Raw *RawMessage
}

// Content is the typed view of a message. The set is closed: *Text,
// *Quote, *Location, *Image, *Voice, *Video, *Emoticon, *Link, *Articles,
// *File, *MiniProgram, *Transfer, *RedPacket, *RealtimeLocation,
// *ChatHistory, *AppMessage, *FriendRequest, *Card, *PossibleFriend,
// *Recall, *System, *SysNotice, *StatusNotify, *Call and *Unsupported.
type Content interface{ isContent() }
