package wechat

import "strings"

// groupPrefixSep separates the sender from the body of group messages.
const groupPrefixSep = ":<br/>"

// hasSenderPrefix reports whether group messages of a type carry the
// "@sender:<br/>" prefix.
func hasSenderPrefix(msgType int) bool {
	switch msgType {
	case MsgTypeSys, MsgTypeSysNotice, MsgTypeStatusNotify:
		return false
	}
	return true
}

// SplitGroupPrefix splits the "@sender:<br/>" prefix off the Content of a
// group message written by someone else. The sender is "@" followed by
// letters and digits, or a raw id of letters, digits, "_" and "-" (the web
// client's /^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br\/>/). Only the first
// separator counts: every later ":<br/>" stays in rest, so that
// sender + ":<br/>" + rest == content whenever ok is true. Without a valid
// prefix it returns "", content, false.
func SplitGroupPrefix(content string) (sender, rest string, ok bool) {
	i := prefixLen(content)
	if i == 0 || !strings.HasPrefix(content[i:], groupPrefixSep) {
		return "", content, false
	}
	return content[:i], content[i+len(groupPrefixSep):], true
}

// prefixLen returns the length of the sender id at the start of s, or 0.
// It only looks at the id's own characters, so it is cheap on long bodies.
func prefixLen(s string) int {
	if strings.HasPrefix(s, "@") {
		n := 1
		for n < len(s) && isAlnum(s[n]) {
			n++
		}
		if n == 1 {
			return 0
		}
		return n
	}
	n := 0
	for n < len(s) && (isAlnum(s[n]) || s[n] == '_' || s[n] == '-') {
		n++
	}
	return n
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
