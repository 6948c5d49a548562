package msgconv

import (
	"slices"
	"strings"
	"unicode/utf8"

	"maunium.net/go/mautrix/bridgev2/database"

	"github.com/wxbridge/wxbridge/wechat"
)

const (
	// quoteSnippetRunes bounds the text kept with each bridged message to
	// find it again when WeChat quotes it, and to quote it when a Matrix
	// reply goes to WeChat.
	quoteSnippetRunes = 200
	// quoteSearchDepth is how many recent messages of a portal are searched
	// for the message a WeChat quote refers to.
	quoteSearchDepth = 100
	// quoteDivider is the line the phone draws between a quote and the reply.
	quoteDivider = "- - - - - - - - - - - - - - -"
)

// quoteSnippet is the part of a message's text kept for quotes: trimmed,
// and cut after quoteSnippetRunes runes.
func quoteSnippet(text string) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= quoteSnippetRunes {
		return text
	}
	n := 0
	for i := range text {
		if n == quoteSnippetRunes {
			return text[:i]
		}
		n++
	}
	return text
}

// senderNames are the WeChat names of who wrote a bridged message, best
// first: how the group shows them (in a group portal), their nickname, the
// user's remark for them. A quote shows one of these.
func senderNames(cl Client, msg *database.Message) []string {
	ct, member := cl.Author(msg)
	if ct == nil {
		return nil
	}
	names := make([]string, 0, 3)
	add := func(name string) {
		if name = wechat.CleanName(name); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if member != nil {
		add(member.DisplayName)
	}
	add(ct.NickName)
	add(ct.RemarkName)
	return names
}

// mediaLabels are the snippets of media messages, in English and in the
// Chinese the phone uses when it quotes them.
var mediaLabels = map[string]string{
	"[图片]":   "[Photo]",
	"[动画表情]": "[Sticker]",
	"[语音]":   "[Voice]",
	"[视频]":   "[Video]",
}

// mediaLabel is the snippet kept for a media message.
func mediaLabel(c wechat.Content, fileName string) string {
	switch c.(type) {
	case *wechat.Image:
		return "[Photo]"
	case *wechat.Emoticon:
		return "[Sticker]"
	case *wechat.Voice:
		return "[Voice]"
	case *wechat.Video:
		return "[Video]"
	case *wechat.File:
		return quoteSnippet(fileName)
	}
	return ""
}
