package wechat

import (
	"strconv"
	"strings"
	"time"
)

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

// IsGroupUserName reports whether a UserName is a group ("@@…").
func IsGroupUserName(s string) bool {
	return strings.HasPrefix(s, "@@")
}

// ParseMessage turns an AddMsgList item into a Message. self is the
// logged-in user's UserName. It never fails and never returns a nil
// Content: what it cannot read becomes *Unsupported.
//
// Who wrote it: a message whose FromUserName is self (or empty, as the web
// client also treats it) was sent by the user from another device; its
// chat is ToUserName. Otherwise the chat is FromUserName. In a group the
// member who wrote a message is the "@sender:<br/>" prefix of Content,
// which is removed before the content is parsed; system messages (10000),
// notices (9999) and status notifies (51) have no prefix, and their Sender
// is the group itself, as is that of any group message without a prefix.
// A prefix naming self marks the message as the user's own.
func ParseMessage(raw *RawMessage, self string) *Message {
	if raw == nil {
		return &Message{Content: &Unsupported{Reason: "no message"}}
	}
	m := &Message{
		ID:    raw.ID(),
		MsgID: raw.MsgId,
		Type:  raw.MsgType,
		Raw:   raw,
	}
	if raw.CreateTime > 0 {
		m.Time = time.Unix(raw.CreateTime, 0)
	}
	if raw.FromUserName == "" || raw.FromUserName == self {
		m.FromSelf = true
		m.Chat = raw.ToUserName
		m.Sender = self
	} else {
		m.Chat = raw.FromUserName
		m.Sender = raw.FromUserName
	}
	m.IsGroup = IsGroupUserName(m.Chat)

	body := raw.Content
	if m.IsGroup && hasSenderPrefix(raw.MsgType) {
		sender, rest, ok := SplitGroupPrefix(body)
		switch {
		case !ok:
		case !m.FromSelf:
			body = rest
			m.Sender = sender
			m.FromSelf = self != "" && sender == self
		case sender == self:
			// The user's own messages have no prefix; strip one only
			// if it names the user, so "note:<br/>…" typed by the
			// user stays whole.
			body = rest
		}
	}
	m.Content = parseContent(raw, body)
	return m
}

// parseContent is the dispatcher: it builds the typed view of a message
// whose body (Content without the group prefix) is given, by MsgType. The
// view and the parser of each kind live in a file named after it:
// parse_text.go, parse_media.go, parse_appmsg.go and so on.
func parseContent(raw *RawMessage, body string) Content {
	switch raw.MsgType {
	case MsgTypeText:
		return parseText(raw, body)
	case MsgTypeImage:
		return parseImage(raw, body)
	case MsgTypeVoice:
		return parseVoice(raw, body)
	case MsgTypeVerify:
		return parseFriendRequest(raw, body)
	case MsgTypePossibleFriend:
		return parsePossibleFriend(raw)
	case MsgTypeShareCard:
		return parseCard(raw, body)
	case MsgTypeVideo, MsgTypeMicroVideo:
		return parseVideo(raw, body)
	case MsgTypeEmoticon:
		return parseEmoticon(raw, body)
	case MsgTypeLocation:
		return parseLocationMessage(raw, body)
	case MsgTypeApp:
		return parseAppMessage(raw, body)
	case MsgTypeVoIPMsg, MsgTypeVoIPNotify, MsgTypeVoIPInvite:
		return parseCall(raw.MsgType)
	case MsgTypeStatusNotify:
		return parseStatusNotify(raw)
	case MsgTypeSysNotice:
		return parseSysNotice(body)
	case MsgTypeSys:
		return parseSystem(body)
	case MsgTypeRecalled:
		return parseRecall(raw, body)
	}
	return &Unsupported{
		MsgType:    raw.MsgType,
		AppMsgType: raw.AppMsgType,
		Reason:     "unknown MsgType " + strconv.Itoa(raw.MsgType),
	}
}
