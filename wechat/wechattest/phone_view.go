package wechattest

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// phoneStateView is what GET /_sim/phone/api/state answers: everything
// the page shows outside a chat.
type phoneStateView struct {
	Self    phonePerson     `json:"self"`
	Login   phoneLoginView  `json:"login"`
	Chats   []phoneChatItem `json:"chats"`
	Friends []phonePerson   `json:"friends"` // who can be added to a group
	Notes   []phoneNote     `json:"notes"`
	Faults  []phoneFault    `json:"faults"`
}

type phonePerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// phoneLoginView is where the account's login stands.
type phoneLoginView struct {
	// Pending is the newest login waiting for the phone, if any.
	Pending *phonePending `json:"pending,omitempty"`
	// Session is "none" (never logged in), "alive" or "ended".
	Session string `json:"session"`
	Ret     int    `json:"ret,omitempty"` // why the session ended
	Desktop bool   `json:"desktop,omitempty"`
}

type phonePending struct {
	UUID    string `json:"uuid"`
	Push    bool   `json:"push"` // a push login: confirm only, nothing to scan
	Scanned bool   `json:"scanned"`
	QR      string `json:"qr,omitempty"` // the QR code's payload
}

// phoneChatItem is one row of the chat list.
type phoneChatItem struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Kind     string        `json:"kind"` // friend, group, official, special, stranger
	Unread   int           `json:"unread"`
	Last     string        `json:"last,omitempty"`
	LastTime int64         `json:"last_time,omitempty"` // Unix milliseconds
	Members  []phonePerson `json:"members,omitempty"`   // groups, self included
	lastPos  int
}

type phoneFault struct {
	Endpoint string `json:"endpoint"`
	Fault    string `json:"fault"`
	Count    int    `json:"count"`
}

// phoneChatView is what GET /_sim/phone/api/chat answers.
type phoneChatView struct {
	Chat     phoneChatItem  `json:"chat"`
	Messages []phoneMessage `json:"messages"`
}

// phoneMessage is one message as the phone shows it.
type phoneMessage struct {
	ID        string `json:"id"` // NewMsgId, a string: it exceeds 2^53
	From      string `json:"from,omitempty"`
	FromName  string `json:"from_name,omitempty"`
	Mine      bool   `json:"mine,omitempty"`       // written by the account (phone or bridge)
	ViaBridge bool   `json:"via_bridge,omitempty"` // sent by the bridge's client
	// Kind is text, image, sticker, file, link, voice, video, location,
	// system, recalled (replaced by its recall notice), friend-request or
	// other.
	Kind     string `json:"kind"`
	Text     string `json:"text,omitempty"`
	FileName string `json:"file_name,omitempty"`
	Size     int    `json:"size,omitempty"`
	Media    bool   `json:"media,omitempty"` // GET api/media?msgid= serves it
	Time     int64  `json:"time"`
	Read     bool   `json:"read,omitempty"` // the client marked the chat read after it
}

// maxPhoneMessages is how many of a chat's newest messages the page gets.
const maxPhoneMessages = 200

func (s *Server) phoneState() phoneStateView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := phoneStateView{
		Self:    phonePerson{ID: SelfID, Name: phoneText(s.acct.contacts[SelfID].NickName)},
		Login:   s.phoneLoginLocked(),
		Chats:   s.phoneChatsLocked(),
		Friends: []phonePerson{},
		Notes:   slices.Clone(s.phone.notes),
		Faults:  []phoneFault{},
	}
	if v.Notes == nil {
		v.Notes = []phoneNote{}
	}
	for _, id := range s.acct.order {
		if e := s.acct.contacts[id]; e.Friend && !e.deleted && !e.Group && !e.isOfficial() && !isSpecialID(id) && id != SelfID {
			v.Friends = append(v.Friends, phonePerson{ID: id, Name: s.phoneNameLocked(e)})
		}
	}
	for _, ep := range slices.Sorted(maps.Keys(s.faults)) {
		counts := map[Fault]int{}
		for _, f := range s.faults[ep] {
			if f != 0 {
				counts[f]++
			}
		}
		for _, f := range slices.Sorted(maps.Keys(counts)) {
			v.Faults = append(v.Faults, phoneFault{Endpoint: ep, Fault: f.String(), Count: counts[f]})
		}
	}
	return v
}

func (s *Server) phoneLoginLocked() phoneLoginView {
	v := phoneLoginView{Session: "none"}
	if pl := s.newestPendingLocked(); pl != nil {
		v.Pending = &phonePending{UUID: pl.uuid, Push: pl.push, Scanned: pl.status == loginScanned}
		if !pl.push {
			v.Pending.QR = qrPayloadPrefix + pl.uuid
		}
	}
	if sess := s.current; sess != nil {
		v.Session, v.Desktop = "alive", sess.desktop
		if sess.dead != 0 {
			v.Session, v.Ret = "ended", sess.dead
		}
	}
	return v
}

// phoneChatsLocked lists the chats: those with messages, newest first,
// then the groups, friends, official accounts and special accounts
// without any, in the account's order.
func (s *Server) phoneChatsLocked() []phoneChatItem {
	items := map[string]*phoneChatItem{}
	var order []string
	add := func(id string) *phoneChatItem {
		if it := items[id]; it != nil {
			return it
		}
		e := s.acct.contacts[id]
		it := &phoneChatItem{ID: id, Name: s.phoneNameLocked(e), Kind: phoneKind(e), lastPos: -1}
		if e.Group {
			for _, m := range e.Members {
				it.Members = append(it.Members, phonePerson{ID: m, Name: s.memberNameLocked(e, m)})
			}
		}
		items[id] = it
		order = append(order, id)
		return it
	}
	for _, id := range s.acct.order {
		e := s.acct.contacts[id]
		if id != SelfID && !e.deleted && (e.Group || e.Friend) {
			add(id)
		}
	}
	readFrom := map[string]int{}
	for chat, pos := range s.phone.readAt {
		readFrom[chat] = pos
	}
	for i, ev := range s.acct.log {
		if ev.kind != eventMessage || ev.msg.Type == msgStatusNotify || ev.msg.Chat == SelfID {
			continue
		}
		sm := ev.msg
		it := add(sm.Chat)
		it.lastPos, it.LastTime = i, unixMilli(sm.created)
		it.Last = phonePreview(s.phoneMessageLocked(sm))
		if sm.From == SelfID {
			// Writing in a chat reads it.
			readFrom[sm.Chat] = max(readFrom[sm.Chat], i+1)
		}
	}
	out := make([]phoneChatItem, 0, len(order))
	for _, id := range order {
		it := items[id]
		it.Unread = s.unreadLocked(id, readFrom[id])
		out = append(out, *it)
	}
	slices.SortStableFunc(out, func(a, b phoneChatItem) int { return cmp.Compare(b.lastPos, a.lastPos) })
	return out
}

// unreadLocked counts a chat's messages from others at or after from.
func (s *Server) unreadLocked(chat string, from int) int {
	n := 0
	for _, ev := range s.acct.log[min(from, len(s.acct.log)):] {
		if ev.kind == eventMessage && ev.msg.Chat == chat && ev.msg.From != SelfID && isChatMessage(ev.msg.Type) {
			n++
		}
	}
	return n
}

func isChatMessage(msgType int) bool {
	return msgType != msgStatusNotify && msgType != msgSys && msgType != msgRecalled
}

// phoneChat returns a chat's newest messages as the phone shows them.
func (s *Server) phoneChat(id string) (phoneChatView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.acct.contacts[id]
	if e == nil || id == SelfID {
		return phoneChatView{}, false
	}
	var chat phoneChatItem
	for _, it := range s.phoneChatsLocked() {
		if it.ID == id {
			chat = it
		}
	}
	if chat.ID == "" {
		chat = phoneChatItem{ID: id, Name: s.phoneNameLocked(e), Kind: phoneKind(e)}
	}
	viaBridge := map[int64]bool{}
	for _, m := range s.rec.sent {
		viaBridge[m.MsgID] = true
	}
	// A recalled message shows its recall notice in its place.
	recalls := map[int64]string{}
	var positions []int
	for i, ev := range s.acct.log {
		if ev.kind != eventMessage || ev.msg.Chat != id || ev.msg.Type == msgStatusNotify {
			continue
		}
		if ev.msg.Type == msgRecalled {
			if target, notice, ok := parseRecall(ev.msg.XML); ok && s.acct.msgs[target] != nil && s.acct.msgs[target].Chat == id {
				recalls[target] = notice
				continue
			}
		}
		positions = append(positions, i)
	}
	positions = positions[max(0, len(positions)-maxPhoneMessages):]
	v := phoneChatView{Chat: chat, Messages: make([]phoneMessage, 0, len(positions))}
	readAt := s.phone.readAt[id]
	for _, i := range positions {
		sm := s.acct.log[i].msg
		m := s.phoneMessageLocked(sm)
		m.ViaBridge = viaBridge[sm.id]
		m.Read = !m.Mine && i < readAt && isChatMessage(sm.Type)
		if notice, ok := recalls[sm.id]; ok {
			m.Kind, m.Text, m.FileName, m.Media = "recalled", notice, "", false
		}
		v.Messages = append(v.Messages, m)
	}
	return v, true
}

// phoneMessageLocked renders a stored message for the page.
func (s *Server) phoneMessageLocked(sm *storedMsg) phoneMessage {
	m := phoneMessage{ID: strconv.FormatInt(sm.id, 10), Time: unixMilli(sm.created), Mine: sm.From == SelfID}
	if sm.Type != msgSys && sm.Type != msgRecalled && sm.Type != msgVerify {
		m.From = sm.sender()
		if m.Mine {
			m.From = SelfID
		}
		if chat := s.acct.contacts[sm.Chat]; chat != nil && chat.Group && m.From != sm.Chat {
			m.FromName = s.memberNameLocked(chat, m.From)
		} else if e := s.acct.contacts[m.From]; e != nil {
			m.FromName = s.phoneNameLocked(e)
		}
	}
	text := phoneText(sm.Text)
	if sm.raw {
		text = sm.RawContent
	}
	switch sm.Type {
	case msgText:
		m.Kind, m.Text = "text", text
		if sm.SubMsgType == subMsgLocation {
			m.Kind = "location"
		}
	case msgImage:
		m.Kind, m.Media = "image", len(sm.Media) > 0
	case msgEmoticon:
		m.Kind, m.Media = "sticker", len(sm.Media) > 0
	case msgVoice:
		m.Kind, m.Text = "voice", "Voice message, "+strconv.Itoa((sm.VoiceLength+999)/1000)+" s"
	case msgVideo, msgMicroVideo:
		m.Kind, m.Text = "video", "Video, "+strconv.Itoa(sm.PlayLength)+" s"
	case msgApp:
		switch sm.AppMsgType {
		case appMsgAttach:
			m.Kind, m.FileName, m.Size, m.Media = "file", sm.FileName, len(sm.Media), len(sm.Media) > 0
		case appMsgURL:
			m.Kind, m.Text = "link", strings.TrimSpace(sm.FileName+"\n"+sm.Url)
		default:
			m.Kind, m.Text = "other", sm.FileName
		}
	case msgSys:
		m.Kind, m.Text = "system", text
	case msgRecalled:
		m.Kind, m.Text = "system", text
		if _, notice, ok := parseRecall(sm.XML); ok {
			m.Text = notice
		}
	case msgVerify:
		m.Kind = "friend-request"
		if ri := sm.RecommendInfo; ri != nil {
			m.Text = "Friend request from " + phoneText(ri.NickName) + ": " + phoneText(ri.Content)
		}
	default:
		m.Kind, m.Text = "other", "A message of type "+strconv.Itoa(sm.Type)+" (the phone page cannot show it)"
	}
	return m
}

// phonePreview is a message's line in the chat list.
func phonePreview(m phoneMessage) string {
	prefix := ""
	if m.FromName != "" && m.From != "" {
		prefix = m.FromName + ": "
	}
	switch m.Kind {
	case "image":
		return prefix + "[Image]"
	case "sticker":
		return prefix + "[Sticker]"
	case "file":
		return prefix + "[File] " + m.FileName
	case "system", "recalled", "friend-request":
		return m.Text
	}
	return prefix + m.Text
}

// phoneNameLocked is a contact's name as the phone lists it: the remark
// name the user gave, else the nickname.
func (s *Server) phoneNameLocked(e *contactEntry) string {
	if e.RemarkName != "" {
		return phoneText(e.RemarkName)
	}
	if e.NickName == "" && e.Group {
		return "Group chat"
	}
	if e.ID == friendRequestSender && e.NickName == e.ID {
		return "Friend requests"
	}
	return phoneText(e.NickName)
}

// memberNameLocked is a group member's name in the group: the group
// nickname, else the contact's name.
func (s *Server) memberNameLocked(g *contactEntry, id string) string {
	if n := g.MemberDisplayNames[id]; n != "" {
		return phoneText(n)
	}
	if id == SelfID {
		return phoneText(s.acct.contacts[SelfID].NickName)
	}
	if e := s.acct.contacts[id]; e != nil {
		return s.phoneNameLocked(e)
	}
	return id
}

func phoneKind(e *contactEntry) string {
	switch {
	case isSpecialID(e.ID):
		return "special"
	case e.Group:
		return "group"
	case e.isOfficial():
		return "official"
	case e.Friend:
		return "friend"
	}
	return "stranger"
}

var emojiCodeSpan = regexp.MustCompile(`<span class="emoji emoji([0-9a-f]{4,6})"></span>`)

// phoneText turns WeChat's emoji spans into the emoji themselves; the
// rest stays as it is (the page shows it as text, never as HTML).
func phoneText(s string) string {
	return emojiCodeSpan.ReplaceAllStringFunc(s, func(span string) string {
		n, err := strconv.ParseUint(emojiCodeSpan.FindStringSubmatch(span)[1], 16, 32)
		if err != nil {
			return span
		}
		return string(rune(n))
	})
}

var (
	recallMsgID  = regexp.MustCompile(`<msgid>(\d+)</msgid>`)
	recallNotice = regexp.MustCompile(`<replacemsg><!\[CDATA\[(.*?)\]\]></replacemsg>`)
)

// parseRecall reads a recall notice's payload: the recalled message's id
// and the notice text.
func parseRecall(xml string) (msgID int64, notice string, ok bool) {
	m := recallMsgID.FindStringSubmatch(xml)
	if m == nil {
		return 0, "", false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, "", false
	}
	notice = "A message was recalled"
	if n := recallNotice.FindStringSubmatch(xml); n != nil {
		notice = n[1]
	}
	return id, notice, true
}
