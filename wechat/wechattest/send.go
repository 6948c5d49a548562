package wechattest

import (
	"encoding/hex"
	"encoding/xml"
	"strconv"

	"github.com/wxbridge/wxbridge/wechat"
)

// sendTypes is the Msg.Type each send endpoint takes.
func sendType(endpoint string) int {
	switch endpoint {
	case "webwxsendmsgimg":
		return wechat.MsgTypeImage
	case "webwxsendvideomsg":
		return wechat.MsgTypeVideo
	case "webwxsendappmsg":
		return wechat.AppMsgTypeAttach
	case "webwxsendemoticon":
		return wechat.MsgTypeEmoticon
	}
	return wechat.MsgTypeText
}

// handleSend serves the five send endpoints. An accepted message is
// recorded, answered with its MsgID, and echoed into the event log with
// FromUserName = self and the same id, as the real server does. A send
// over the account's rate limit is answered 1205 and not delivered.
func (s *Server) handleSend(req *request) {
	var body wechat.SendRequest
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{passTicket: req.endpoint == "webwxsendmsg"}, func(sess *session) {
		m := body.Msg
		if s.rateLimitedLocked(req) {
			writeJSON(req.w, wechat.SendResponse{BaseResponse: tooFrequentBase(), LocalID: m.LocalID})
			return
		}
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeJSON(req.w, wechat.SendResponse{BaseResponse: wechat.BaseResponse{Ret: ret, ErrMsg: why}, LocalID: m.LocalID})
		}
		s.checkSendQueryLocked(req)
		toID, known := sess.ids[m.ToUserName]
		switch {
		case m.Type != sendType(req.endpoint):
			fail(1, "Msg.Type "+strconv.Itoa(m.Type)+", want "+strconv.Itoa(sendType(req.endpoint)))
			return
		case m.FromUserName != s.nameLocked(sess, SelfID):
			fail(1, "Msg.FromUserName is not self")
			return
		case !known || !canReceive(s.acct.contacts[toID]):
			fail(1204, "Msg.ToUserName is not a friend, group or filehelper of this session")
			return
		case m.LocalID == "" || m.ClientMsgId != m.LocalID:
			fail(1, "LocalID and ClientMsgId must be equal and non-empty")
			return
		case sess.clientMsgIDs[m.ClientMsgId]:
			fail(1, "ClientMsgId "+m.ClientMsgId+" used twice")
			return
		}
		echo, ret, why := s.sendPayloadLocked(req.endpoint, &m)
		if why != "" {
			fail(ret, why)
			return
		}
		echo.Chat, echo.From = toID, SelfID
		sm := s.injectLocked(echo)
		sess.clientMsgIDs[m.ClientMsgId] = true
		sess.sent[sm.id] = &sentRecord{clientMsgID: m.ClientMsgId, toID: toID, at: s.now()}
		s.rec.sent = append(s.rec.sent, SentMessage{Endpoint: req.endpoint, Msg: m, MsgID: sm.id, ToID: toID})
		writeJSON(req.w, wechat.SendResponse{MsgID: strconv.FormatInt(sm.id, 10), LocalID: m.LocalID})
	})
}

func canReceive(e *contactEntry) bool {
	return e != nil && !e.deleted && (e.Group || e.Friend || e.ID == SelfID || isSpecialID(e.ID))
}

// checkSendQueryLocked records the query parameters the web client sends
// and a client forgot.
func (s *Server) checkSendQueryLocked(req *request) {
	want := map[string]string{}
	switch req.endpoint {
	case "webwxsendmsgimg", "webwxsendvideomsg", "webwxsendappmsg":
		want = map[string]string{"fun": "async", "f": "json"}
	case "webwxsendemoticon":
		want = map[string]string{"fun": "sys"}
	}
	for k, v := range want {
		if req.query.Get(k) != v {
			s.violationLocked(req.endpoint, "query "+k+"="+v+" missing")
		}
	}
}

// sendPayloadLocked checks the type-specific part of a sent message and
// returns the message to echo, or a ret and the reason to refuse it.
func (s *Server) sendPayloadLocked(endpoint string, m *wechat.OutMessage) (Message, int, string) {
	upload := func() (*Upload, string) {
		up := s.acct.uploads[m.MediaId]
		if m.MediaId == "" || up == nil {
			return nil, "Msg.MediaId is not an uploaded MediaId"
		}
		return up, ""
	}
	switch endpoint {
	case "webwxsendmsg":
		if m.Content == "" {
			return Message{}, 1, "empty Content"
		}
		return Message{Type: wechat.MsgTypeText, Text: m.Content}, 0, ""
	case "webwxsendmsgimg":
		up, why := upload()
		if up == nil {
			return Message{}, 1, why
		}
		if isGIF(up.Data) {
			s.violationLocked(endpoint, "GIF sent as an image (send it with webwxsendemoticon)")
		}
		return Message{Type: wechat.MsgTypeImage, Media: up.Data, Thumb: thumbnail(up.Data)}, 0, ""
	case "webwxsendvideomsg":
		up, why := upload()
		if up == nil {
			return Message{}, 1, why
		}
		return Message{Type: wechat.MsgTypeVideo, Media: up.Data, Thumb: plainJPEG(up.Data, 160, 90)}, 0, ""
	case "webwxsendappmsg":
		return s.sendAppMsgLocked(endpoint, m)
	}
	// webwxsendemoticon
	if m.EmojiFlag != 2 {
		return Message{}, 1, "EmojiFlag must be 2"
	}
	if m.MediaId != "" {
		up, why := upload()
		if up == nil {
			return Message{}, 1, why
		}
		return Message{Type: wechat.MsgTypeEmoticon, Media: up.Data}, 0, ""
	}
	if b, err := hex.DecodeString(m.EMoticonMd5); err != nil || len(b) != 16 {
		return Message{}, 1, "neither MediaId nor a valid EMoticonMd5"
	}
	var data []byte
	for _, sm := range s.acct.msgs {
		if sm.Type == wechat.MsgTypeEmoticon && len(sm.Media) > 0 && md5Hex(sm.Media) == m.EMoticonMd5 {
			data = sm.Media
			break
		}
	}
	return Message{Type: wechat.MsgTypeEmoticon, Media: data}, 0, ""
}

// appMsgFields are the parts of a sent appmsg the server checks.
type appMsgFields struct {
	Title     string `xml:"title"`
	Type      int    `xml:"type"`
	AppAttach struct {
		TotalLen int64  `xml:"totallen"`
		AttachID string `xml:"attachid"`
		FileExt  string `xml:"fileext"`
	} `xml:"appattach"`
}

// appMsgDoc accepts <appmsg> as the root or inside <msg>.
type appMsgDoc struct {
	XMLName xml.Name
	appMsgFields
	Inner *appMsgFields `xml:"appmsg"`
}

func (s *Server) sendAppMsgLocked(endpoint string, m *wechat.OutMessage) (Message, int, string) {
	var doc appMsgDoc
	if err := xml.Unmarshal([]byte(m.Content), &doc); err != nil {
		return Message{}, 1, "Content is not appmsg XML: " + err.Error()
	}
	f := doc.appMsgFields
	if doc.XMLName.Local == "msg" && doc.Inner != nil {
		f = *doc.Inner
	}
	up := s.acct.uploads[f.AppAttach.AttachID]
	var sig string
	var signed bool
	if up != nil {
		sig, signed = s.acct.signatures[up.MD5]
	}
	switch {
	case f.Type != wechat.AppMsgTypeAttach:
		return Message{}, 1, "appmsg type " + strconv.Itoa(f.Type) + ", want 6"
	case f.Title == "":
		return Message{}, 1, "appmsg without a title"
	case up == nil:
		return Message{}, 1, "appattach/attachid is not an uploaded MediaId"
	case int64(len(up.Data)) > wechat.CheckUploadThreshold && (!signed || m.Signature != sig):
		return Message{}, -1, "file over 25 MB without the Signature of webwxcheckupload"
	}
	if f.AppAttach.TotalLen != int64(len(up.Data)) {
		s.violationLocked(endpoint, "appattach/totallen does not match the upload")
	}
	return Message{
		Type: wechat.MsgTypeApp, AppMsgType: wechat.AppMsgTypeAttach, FileName: f.Title, Media: up.Data,
	}, 0, ""
}
