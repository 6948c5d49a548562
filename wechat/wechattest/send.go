package wechattest

import (
	"encoding/hex"
	"encoding/xml"
	"strconv"
)

// sendTypes is the Msg.Type each send endpoint takes.
func sendType(endpoint string) int {
	switch endpoint {
	case "webwxsendmsgimg":
		return msgImage
	case "webwxsendvideomsg":
		return msgVideo
	case "webwxsendappmsg":
		return appMsgAttach
	case "webwxsendemoticon":
		return msgEmoticon
	}
	return msgText
}

// handleSend serves the five send endpoints. An accepted message is
// recorded, answered with its MsgID, and echoed into the event log with
// FromUserName = self and the same id, as the real server does. A send
// over the account's rate limit is answered 1205 and not delivered.
func (s *Server) handleSend(req *request) {
	var body sendBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{passTicket: req.endpoint == "webwxsendmsg"}, func(sess *session) {
		m := body.Msg
		if s.rateLimitedLocked(req) {
			writeJSON(req.w, &sendAnswer{BaseResponse: baseResponse{Ret: retTooFrequent, ErrMsg: tooFrequentMsg}, LocalID: m.LocalID})
			return
		}
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeJSON(req.w, &sendAnswer{BaseResponse: baseResponse{Ret: ret, ErrMsg: why}, LocalID: m.LocalID})
		}
		s.checkSendQueryLocked(req, sess)
		toID, known := sess.ids[m.ToUserName]
		switch {
		case m.Type != sendType(req.endpoint):
			fail(retParamError, "Msg.Type "+strconv.Itoa(m.Type)+", want "+strconv.Itoa(sendType(req.endpoint)))
			return
		case m.FromUserName != s.nameLocked(sess, SelfID):
			fail(retParamError, "Msg.FromUserName is not self")
			return
		case known && s.deletedUnseenLocked(sess, toID):
			s.inducedLocked(req.endpoint, "Msg.ToUserName was deleted after the client's last webwxsync")
			writeJSON(req.w, &sendAnswer{BaseResponse: baseResponse{Ret: retBadRecipient}, LocalID: m.LocalID})
			return
		case !known || !canReceive(s.acct.contacts[toID]):
			fail(retBadRecipient, "Msg.ToUserName is not a friend, group or filehelper of this session")
			return
		case m.LocalID == "" || m.ClientMsgId != m.LocalID:
			fail(retParamError, "LocalID and ClientMsgId must be equal and non-empty")
			return
		case sess.clientMsgIDs[m.ClientMsgId]:
			fail(retParamError, "ClientMsgId "+m.ClientMsgId+" used twice")
			return
		}
		echo, ret, why := s.sendPayloadLocked(req.endpoint, sess, &m)
		if why != "" {
			fail(ret, why)
			return
		}
		echo.Chat, echo.From = toID, SelfID
		sm := s.injectLocked(echo)
		sess.clientMsgIDs[m.ClientMsgId] = true
		sess.sent[sm.id] = &sentRecord{clientMsgID: m.ClientMsgId, toID: toID, at: s.now()}
		s.rec.sent = append(s.rec.sent, SentMessage{Endpoint: req.endpoint, Msg: m, MsgID: sm.id, ToID: toID})
		writeJSON(req.w, &sendAnswer{MsgID: strconv.FormatInt(sm.id, 10), LocalID: m.LocalID})
	})
}

// deletedUnseenLocked reports whether a contact was deleted (DeleteContact)
// after the last event the session synced: the client cannot know yet.
func (s *Server) deletedUnseenLocked(sess *session, id string) bool {
	e := s.acct.contacts[id]
	return e != nil && e.deleted && e.deletedAt >= sess.synced
}

func canReceive(e *contactEntry) bool {
	return e != nil && !e.deleted && (e.Group || e.Friend || e.ID == SelfID || isSpecialID(e.ID))
}

// checkSendQueryLocked records the query parameters the web client sends
// and a client forgot.
func (s *Server) checkSendQueryLocked(req *request, sess *session) {
	want := map[string]string{}
	switch req.endpoint {
	case "webwxsendmsgimg", "webwxsendvideomsg":
		want = map[string]string{"fun": "async", "f": "json"}
	case "webwxsendappmsg":
		want = map[string]string{"fun": "async", "f": "json"}
		if sess.desktop {
			want["mod"] = "desktop"
		}
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
func (s *Server) sendPayloadLocked(endpoint string, sess *session, m *OutMessage) (Message, int, string) {
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
			return Message{}, retParamError, "empty Content"
		}
		return Message{Type: msgText, Text: m.Content}, 0, ""
	case "webwxsendmsgimg":
		up, why := upload()
		if up == nil {
			return Message{}, retParamError, why
		}
		if isGIF(up.Data) {
			s.violationLocked(endpoint, "GIF sent as an image (send it with webwxsendemoticon)")
		}
		return Message{Type: msgImage, Media: up.Data, Thumb: thumbnail(up.Data)}, 0, ""
	case "webwxsendvideomsg":
		up, why := upload()
		if up == nil {
			return Message{}, retParamError, why
		}
		return Message{Type: msgVideo, Media: up.Data, Thumb: plainJPEG(up.Data, 160, 90)}, 0, ""
	case "webwxsendappmsg":
		return s.sendAppMsgLocked(endpoint, sess, m)
	}
	// webwxsendemoticon
	if m.EmojiFlag != 2 {
		return Message{}, retParamError, "EmojiFlag must be 2"
	}
	if m.MediaId != "" {
		up, why := upload()
		if up == nil {
			return Message{}, retParamError, why
		}
		return Message{Type: msgEmoticon, Media: up.Data}, 0, ""
	}
	if b, err := hex.DecodeString(m.EMoticonMd5); err != nil || len(b) != 16 {
		return Message{}, retParamError, "neither MediaId nor a valid EMoticonMd5"
	}
	var data []byte
	for _, sm := range s.acct.msgs {
		if sm.Type == msgEmoticon && len(sm.Media) > 0 && md5Hex(sm.Media) == m.EMoticonMd5 {
			data = sm.Media
			break
		}
	}
	return Message{Type: msgEmoticon, Media: data}, 0, ""
}

// appMsgFields are the parts of a sent appmsg the server checks.
type appMsgFields struct {
	AppID     *string `xml:"appid,attr"`
	Title     string  `xml:"title"`
	Type      int     `xml:"type"`
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

func (s *Server) sendAppMsgLocked(endpoint string, sess *session, m *OutMessage) (Message, int, string) {
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
	case f.Type != appMsgAttach:
		return Message{}, retParamError, "appmsg type " + strconv.Itoa(f.Type) + ", want 6"
	case f.Title == "":
		return Message{}, retParamError, "appmsg without a title"
	case up == nil:
		return Message{}, retParamError, "appattach/attachid is not an uploaded MediaId"
	case int64(len(up.Data)) > checkUploadThreshold && (!signed || m.Signature != sig):
		return Message{}, retSysError, "file over 25 MB without the Signature of webwxcheckupload"
	}
	if f.AppAttach.TotalLen != int64(len(up.Data)) {
		s.violationLocked(endpoint, "appattach/totallen does not match the upload")
	}
	// The web client names its own appid in web mode and none in desktop
	// mode (reference §2.6, §7.3).
	wantAppID := fileAppID
	if sess.desktop {
		wantAppID = ""
	}
	switch {
	case f.AppID == nil:
		s.violationLocked(endpoint, "appmsg without an appid attribute")
	case *f.AppID != wantAppID:
		s.violationLocked(endpoint, "appmsg appid "+strconv.Quote(*f.AppID)+", the web client sends "+strconv.Quote(wantAppID)+" in this mode")
	}
	return Message{
		Type: msgApp, AppMsgType: appMsgAttach, FileName: f.Title, Media: up.Data,
	}, 0, ""
}
