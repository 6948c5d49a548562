package wechattest

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message is a message to inject, as the phone or another person would
// cause it. Chat and From are seed ids. The server renders it in server
// format for each session: UserNames of that session, the group sender
// prefix, escaping.
type Message struct {
	// Chat is the conversation: a friend, a group, filehelper, fmessage…
	// An unknown id becomes a stranger. Empty means fmessage for friend
	// requests (37), self for status notifies (51), else filehelper.
	Chat string
	// From is the sender: "" for the chat itself (a DM, or a group's
	// system message), SelfID for a message sent from the phone, or the
	// member who wrote in a group.
	From string
	// Type is the MsgType (default 1, text).
	Type       int
	AppMsgType int
	SubMsgType int
	// Text is plain text: the server escapes '&', '<' and '>' (keeping
	// emoji spans such as <span class="emoji emoji1f604"></span>) and
	// turns newlines into <br/>.
	Text string
	// XML is a payload (app message, emoticon, recall…): the server
	// HTML-escapes it. Empty means a payload generated from the other
	// fields, for the types that have one.
	XML string
	// RawContent is used verbatim as Content when set (no escaping, no
	// group prefix), for hostile tests.
	RawContent string
	FileName   string
	Url        string
	OriContent string
	// Media is what the download endpoints serve for this message
	// (image, voice, video, file, emoticon).
	Media []byte
	// Thumb is the "slave" image (image thumbnails, video posters); nil
	// means one derived from Media.
	Thumb         []byte
	ImgWidth      int
	ImgHeight     int
	VoiceLength   int // ms
	PlayLength    int // s
	HasProductId  int
	RecommendInfo *RecommendInfo // 37, 40, 42; UserName may be a seed id
	// StatusNotifyCode and StatusNotifyIDs (seed ids) make a MsgType 51.
	StatusNotifyCode int
	StatusNotifyIDs  []string
}

// storedMsg is a message in the event log.
type storedMsg struct {
	Message
	id         int64
	created    time.Time
	body       string // Content without the group prefix, already escaped
	raw        bool   // body is RawContent: no prefix
	mediaID    string // file messages: the MediaId for webwxgetmedia
	strangerID string // 37/40/42: the person RecommendInfo describes
	ticket     string // 37: the ticket webwxverifyuser needs
}

// sender is the seed id of whoever wrote the message.
func (sm *storedMsg) sender() string {
	if sm.From == "" {
		return sm.Chat
	}
	return sm.From
}

// Inject appends a message to the account's event log and returns its
// NewMsgId. Pending synccheck polls answer at once.
func (s *Server) Inject(m Message) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injectLocked(m).id
}

func (s *Server) injectLocked(m Message) *storedMsg {
	if m.Type == 0 {
		m.Type = msgText
	}
	if m.Chat == "" {
		switch m.Type {
		case msgVerify:
			m.Chat = friendRequestSender
		case msgStatusNotify:
			m.Chat = SelfID
		default:
			m.Chat = fileHelper
		}
	}
	m.Media, m.Thumb = slices.Clone(m.Media), slices.Clone(m.Thumb)
	m.StatusNotifyIDs = slices.Clone(m.StatusNotifyIDs)
	s.acct.entry(m.Chat)
	if m.From != "" && m.From != SelfID {
		s.acct.entry(m.From)
	}
	for _, id := range m.StatusNotifyIDs {
		s.acct.entry(id)
	}
	sm := &storedMsg{Message: m, id: s.acct.nextMsgID(), created: s.now()}
	s.fillDefaultsLocked(sm)
	switch {
	case m.RawContent != "":
		sm.body, sm.raw = m.RawContent, true
	case m.XML != "":
		sm.body = escapeXML(m.XML)
	default:
		sm.body = s.defaultBodyLocked(sm)
	}
	s.acct.msgs[sm.id] = sm
	if sm.mediaID != "" {
		s.acct.files[sm.mediaID] = sm
	}
	s.appendEventLocked(&event{kind: eventMessage, msg: sm})
	s.log.Debug().Int64("new_msg_id", sm.id).Int("msg_type", sm.Type).Str("chat", sm.Chat).Msg("Message injected")
	return sm
}

// fillDefaultsLocked completes sizes, file ids and the stranger of a
// friend request or card.
func (s *Server) fillDefaultsLocked(sm *storedMsg) {
	switch sm.Type {
	case msgImage, msgEmoticon:
		if sm.ImgWidth == 0 && sm.ImgHeight == 0 {
			sm.ImgWidth, sm.ImgHeight = imageSize(sm.Media)
		}
	case msgVideo, msgMicroVideo:
		if sm.ImgWidth == 0 && sm.ImgHeight == 0 {
			sm.ImgWidth, sm.ImgHeight = imageSize(sm.Thumb)
		}
	case msgApp:
		if sm.AppMsgType == appMsgAttach {
			sm.mediaID = newMediaID()
		}
	case msgVerify, msgPossibleFriend, msgShareCard:
		ri := RecommendInfo{}
		if sm.RecommendInfo != nil {
			ri = *sm.RecommendInfo
		}
		sm.RecommendInfo = &ri
		e, known := s.acct.contacts[ri.UserName]
		if !known {
			e = s.acct.newStranger(SeedContact{
				ID: ri.UserName, NickName: ri.NickName, Alias: ri.Alias, Sex: ri.Sex,
				Province: ri.Province, City: ri.City, Signature: ri.Signature,
			})
		}
		sm.strangerID = e.ID
		if sm.Type == msgVerify {
			sm.ticket = "v2_" + randomHex(64) + "@stranger"
			s.acct.requests[e.ID] = &friendRequest{strangerID: e.ID, ticket: sm.ticket, msgID: sm.id}
		}
	}
}

// renderMsgLocked renders a stored message for a session.
func (s *Server) renderMsgLocked(sess *session, sm *storedMsg) wireMessage {
	self := s.nameLocked(sess, SelfID)
	chat := s.nameLocked(sess, sm.Chat)
	rm := wireMessage{
		MsgId:            strconv.FormatInt(sm.id, 10),
		NewMsgId:         sm.id,
		FromUserName:     chat,
		ToUserName:       self,
		MsgType:          sm.Type,
		Status:           3,
		ImgStatus:        1,
		CreateTime:       sm.created.Unix(),
		VoiceLength:      sm.VoiceLength,
		PlayLength:       sm.PlayLength,
		FileName:         sm.FileName,
		Url:              sm.Url,
		AppMsgType:       sm.AppMsgType,
		StatusNotifyCode: sm.StatusNotifyCode,
		HasProductId:     sm.HasProductId,
		ImgHeight:        sm.ImgHeight,
		ImgWidth:         sm.ImgWidth,
		SubMsgType:       sm.SubMsgType,
		OriContent:       sm.OriContent,
	}
	prefix := ""
	switch {
	case sm.From == SelfID, sm.Type == msgStatusNotify:
		rm.FromUserName, rm.ToUserName = self, chat
	case s.acct.isGroup(sm.Chat) && sm.From != "" && sm.From != sm.Chat:
		prefix = s.nameLocked(sess, sm.From) + ":<br/>"
	}
	rm.Content = prefix + sm.body
	if sm.raw {
		rm.Content = sm.body
	}
	if sm.Type == msgImage {
		rm.ImgStatus = 2
	}
	if sm.mediaID != "" {
		rm.MediaId = sm.mediaID
		rm.FileSize = strconv.Itoa(len(sm.Media))
		rm.EncryFileName = url.PathEscape(sm.FileName)
	}
	if len(sm.StatusNotifyIDs) > 0 {
		names := make([]string, len(sm.StatusNotifyIDs))
		for i, id := range sm.StatusNotifyIDs {
			names[i] = s.nameLocked(sess, id)
		}
		rm.StatusNotifyUserName = strings.Join(names, ",")
	}
	if sm.RecommendInfo != nil {
		rm.RecommendInfo = *sm.RecommendInfo
		rm.RecommendInfo.UserName = s.nameLocked(sess, sm.strangerID)
		rm.RecommendInfo.Ticket = sm.ticket
		rm.Ticket = sm.ticket
	}
	return rm
}
