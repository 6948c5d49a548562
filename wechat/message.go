package wechat

import "time"

// Message is one parsed AddMsgList item. Content holds the typed view of
// what it carries; unknown kinds become *Unsupported, never an error.
type Message struct {
	// ID is NewMsgId: the stable message ID.
	ID int64
	// MsgID is MsgId as the server sent it, for downloads and revokes.
	MsgID string
	// Type is the MsgType.
	Type int
	// Chat is the UserName of the conversation: the peer of a 1:1 chat,
	// the @@ group, or a special account such as filehelper.
	Chat string
	// Sender is the UserName of who wrote it: the group member for group
	// messages (taken from the content prefix), the self UserName for
	// messages sent from another device of the user.
	Sender string
	// FromSelf is true for messages the user sent from another device.
	FromSelf bool
	// IsGroup is true when Chat is a group.
	IsGroup bool
	// Time is CreateTime.
	Time time.Time
	// Content is the typed view.
	Content Content
	// Raw is the item as received.
	Raw *RawMessage
}

// Content is the typed view of a message. The set is closed.
type Content interface{ isContent() }
