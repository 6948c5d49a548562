package wechat

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unsupported is a message the package cannot show: an unknown MsgType, or
// a known one whose payload could not be read.
type Unsupported struct {
	MsgType    int
	AppMsgType int
	// Reason says what was unknown or what failed.
	Reason string
}

func (*Unsupported) isContent() {}

// maxReasonLen bounds Unsupported.Reason, which may quote the payload.
const maxReasonLen = 200

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

// parseContent builds the typed view of a message whose body (Content
// without the group prefix) is given.
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

// unsupported describes a known message whose payload failed to parse.
func unsupported(raw *RawMessage, what string, err error) *Unsupported {
	reason := strings.ToValidUTF8(fmt.Sprintf("%s: %v", what, err), "\uFFFD")
	if len(reason) > maxReasonLen {
		reason = strings.ToValidUTF8(reason[:maxReasonLen], "") + "…"
	}
	return &Unsupported{MsgType: raw.MsgType, AppMsgType: raw.AppMsgType, Reason: reason}
}

// errNoElement says that a payload lacks a required element.
func errNoElement(name string) error {
	return fmt.Errorf("no <%s> element", name)
}

// parseInt parses a non-negative decimal number leniently: anything else
// reads as 0.
func parseInt(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// cleanText tidies text read from XML, which the decoder has already
// unescaped.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// plainLine tidies a one-line text read from XML: control characters
// become spaces, like CleanName does, but nothing is read as markup.
func plainLine(s string) string {
	return strings.TrimSpace(spaceControls(cleanText(s)))
}

// cleanURL tidies a link. Only "&amp;" is undone: a full HTML unescape
// would turn a query such as "&copy=1" into "©=1".
func cleanURL(s string) string {
	s = cleanText(s)
	if strings.Contains(s, "&amp;") {
		s = strings.ReplaceAll(s, "&amp;", "&")
	}
	return s
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
