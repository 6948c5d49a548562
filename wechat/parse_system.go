package wechat

import (
	"regexp"
	"strings"
)

// SystemKind classifies a system message.
type SystemKind string

// Kinds of system messages. The texts follow the phone's language; the
// Chinese and English forms are recognised.
const (
	// SystemJoin: Targets joined the group, invited by or through the QR
	// code of Actor.
	SystemJoin SystemKind = "join"
	// SystemRemove: the user removed Targets from the group.
	SystemRemove SystemKind = "remove"
	// SystemRemovedSelf: Actor removed the user from the group.
	SystemRemovedSelf SystemKind = "removedSelf"
	// SystemRename: Actor renamed the group to NewName.
	SystemRename SystemKind = "rename"
	// SystemNewFriend: the user added Targets, or Actor added the user.
	SystemNewFriend SystemKind = "newFriend"
	// SystemRedPacket: a red packet was sent or received; see the phone.
	SystemRedPacket SystemKind = "redPacket"
	// SystemLocationShareEnded: live location sharing ended.
	SystemLocationShareEnded SystemKind = "locationShareEnded"
	// SystemPat: Actor patted Targets.
	SystemPat SystemKind = "pat"
	// SystemOther is anything else; Text says what.
	SystemOther SystemKind = "other"
)

// System is a system message (MsgType 10000).
type System struct {
	// Text is the message as plain text: links and other markup are
	// removed (their text kept), emoji and entities decoded.
	Text string
	Kind SystemKind
	// Actor is the display name of who did it, as the text shows it. It
	// is empty when the actor is the user ("你", "You") or not named.
	Actor string
	// Targets are the display names the action applied to. The user
	// ("你", "you") is left out.
	Targets []string
	// NewName is the new group name for SystemRename.
	NewName string
}

func (*System) isContent() {}

// systemPattern recognises one system text. The fields are submatch
// indexes; 0 means absent. actor lists alternatives: the first non-empty
// one wins. targets is a list of names, target a single name.
type systemPattern struct {
	re      *regexp.Regexp
	kind    SystemKind
	actor   []int
	targets int
	target  int
	newName int
}

// systemPatterns are compiled once and never modified. Go regexps run in
// linear time, and texts longer than maxSystemMatch are not matched at all.
var systemPatterns = []systemPattern{
	{re: regexp.MustCompile(`^(?:你|"(.+?)")邀请(.+?)加入了群聊`), kind: SystemJoin, actor: []int{1}, targets: 2},
	{re: regexp.MustCompile(`^"(.+?)"通过扫描(?:你|"(.+?)")分享的二维码加入群聊`), kind: SystemJoin, actor: []int{2}, target: 1},
	{re: regexp.MustCompile(`^你将(.+?)移出了群聊`), kind: SystemRemove, targets: 1},
	{re: regexp.MustCompile(`^你被"(.+?)"移出群聊`), kind: SystemRemovedSelf, actor: []int{1}},
	{re: regexp.MustCompile(`^(?:你|"(.+?)")修改群名为[“"](.*)[”"]`), kind: SystemRename, actor: []int{1}, newName: 2},
	{re: regexp.MustCompile(`^你已添加了(.+?)，现在可以开始聊天了`), kind: SystemNewFriend, target: 1},
	{re: regexp.MustCompile(`^(.+?)刚刚把你添加到通讯录，现在可以开始聊天了`), kind: SystemNewFriend, actor: []int{1}},
	{re: regexp.MustCompile(`^(?:我|"(.+?)")\s*拍了拍\s*(?:我|自己|"(.+?)")`), kind: SystemPat, actor: []int{1}, target: 2},
	{re: regexp.MustCompile(`^(?:You|"(.+?)"|(.+?)) invited (.+?) to (?:join )?the group chat`), kind: SystemJoin, actor: []int{1, 2}, targets: 3},
	{re: regexp.MustCompile(`(?i)^"(.+?)" joined the group chat via the QR code shared by (?:you|"(.+?)")`), kind: SystemJoin, actor: []int{2}, target: 1},
	{re: regexp.MustCompile(`^You removed (.+?) from the group chat`), kind: SystemRemove, targets: 1},
	{re: regexp.MustCompile(`^You were removed from the group chat by "(.+?)"`), kind: SystemRemovedSelf, actor: []int{1}},
	{re: regexp.MustCompile(`^(?:You|"(.+?)") changed the group name to [“"](.*)[”"]`), kind: SystemRename, actor: []int{1}, newName: 2},
	{re: regexp.MustCompile(`^You have added (.+?) as your WeChat contact`), kind: SystemNewFriend, target: 1},
	{re: regexp.MustCompile(`(?i)^(?:I|"(.+?)") (?:patted|tickled) (?:me|myself|"(.+?)")`), kind: SystemPat, actor: []int{1}, target: 2},
}

// maxSystemMatch is the longest text matched against systemPatterns. Real
// system texts are a line or two.
const maxSystemMatch = 4096

// parseSystem reads a MsgType 10000 text.
func parseSystem(body string) Content {
	s := &System{Text: formatSystemText(body), Kind: SystemOther}
	if len(s.Text) <= maxSystemMatch {
		for _, p := range systemPatterns {
			if m := p.re.FindStringSubmatch(s.Text); m != nil {
				p.fill(s, m)
				return s
			}
		}
	}
	for _, c := range [...]struct {
		fragment string
		kind     SystemKind
	}{
		{"红包", SystemRedPacket},
		{"Red Packet", SystemRedPacket},
		{"red packet", SystemRedPacket},
		{"位置共享已经结束", SystemLocationShareEnded},
		{"Location sharing has ended", SystemLocationShareEnded},
		{"拍了拍", SystemPat},
		{"拍拍", SystemPat},
		{"patted", SystemPat},
		{"tickled", SystemPat},
	} {
		if strings.Contains(s.Text, c.fragment) {
			s.Kind = c.kind
			break
		}
	}
	return s
}

func (p *systemPattern) fill(s *System, m []string) {
	s.Kind = p.kind
	for _, i := range p.actor {
		if m[i] != "" {
			s.Actor = m[i]
			break
		}
	}
	if p.targets > 0 {
		s.Targets = nameList(m[p.targets])
	}
	if p.target > 0 && m[p.target] != "" {
		s.Targets = []string{m[p.target]}
	}
	if p.newName > 0 {
		s.NewName = m[p.newName]
	}
}

// nameList splits a list of names as system texts write them: quoted names
// separated by anything ("A"、"B"; "A", "B" and "C"), or unquoted names
// separated by "、", "，", ", " or " and ". The user ("你", "you") is left
// out.
func nameList(s string) []string {
	var names []string
	add := func(name string) {
		name = strings.TrimSpace(name)
		switch strings.ToLower(name) {
		case "", "你", "you", "我", "me":
			return
		}
		names = append(names, name)
	}
	if strings.Count(s, `"`) >= 2 {
		for {
			open := strings.IndexByte(s, '"')
			if open < 0 {
				break
			}
			end := strings.IndexByte(s[open+1:], '"')
			if end < 0 {
				break
			}
			add(s[open+1 : open+1+end])
			s = s[open+1+end+1:]
		}
		return names
	}
	start := 0
	for i := 0; i < len(s); i++ {
		for _, sep := range [...]string{"、", "，", ", ", " and "} {
			if strings.HasPrefix(s[i:], sep) {
				add(s[start:i])
				i += len(sep) - 1
				start = i + 1
				break
			}
		}
	}
	add(s[start:])
	return names
}
