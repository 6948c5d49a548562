package wechat

import "strings"

// StatusNotify is a MsgType 51 notice: not a chat message but a signal from
// the phone.
type StatusNotify struct {
	// Code is StatusNotifyCode (StatusNotifyRead, StatusNotifyEnterSession,
	// StatusNotifyInited, StatusNotifySyncConv, StatusNotifyQuitSession, or
	// a value such as 9 that is not documented).
	Code int
	// UserNames are the chats concerned: for StatusNotifySyncConv the
	// recent chats listed in StatusNotifyUserName; for read, enter and quit
	// the chat in ToUserName; otherwise whatever StatusNotifyUserName lists.
	UserNames []string
}

func (*StatusNotify) isContent() {}

// parseStatusNotify reads a MsgType 51 from its raw fields; the <op> XML
// in Content is not read.
func parseStatusNotify(raw *RawMessage) Content {
	sn := &StatusNotify{Code: raw.StatusNotifyCode}
	switch raw.StatusNotifyCode {
	case StatusNotifyRead, StatusNotifyEnterSession, StatusNotifyQuitSession:
		if raw.ToUserName != "" {
			sn.UserNames = []string{raw.ToUserName}
		}
	default:
		sn.UserNames = splitUserNames(raw.StatusNotifyUserName)
	}
	return sn
}

// splitUserNames splits a comma-separated list, dropping empty entries.
func splitUserNames(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	names := make([]string, 0, strings.Count(s, ",")+1)
	for name := range strings.SplitSeq(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return names
}
