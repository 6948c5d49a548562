package wechattest

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/wxbridge/wxbridge/wechat"
)

// initAnswer is webwxinit's answer with the fields the wechat types leave
// out.
type initAnswer struct {
	wechat.InitResponse
	ContactList        []wireContact
	User               wireContact
	MPSubscribeMsgList []struct{} `json:"MPSubscribeMsgList"`
}

// handleInit answers webwxinit: self, the recent contacts, the ChatSet
// (recent chats, unsaved groups, filehelper; with a trailing comma as the
// real one) and a SyncKey at the end of the event log.
func (s *Server) handleInit(req *request) {
	var body struct{ BaseRequest wechat.BaseRequest }
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{emptySKeyOK: true, passTicket: true}, func(sess *session) {
		recent := []wireContact{}
		var chatSet []string
		for _, id := range s.acct.order {
			e := s.acct.contacts[id]
			if e.deleted || id == SelfID {
				continue
			}
			switch {
			case e.Recent:
				recent = append(recent, s.contactLocked(sess, e, e.Group, ""))
				chatSet = append(chatSet, s.nameLocked(sess, id))
			case e.Group && !e.SavedToContacts, id == wechat.FileHelper:
				chatSet = append(chatSet, s.nameLocked(sess, id))
			}
		}
		writeJSON(req.w, initAnswer{
			InitResponse: wechat.InitResponse{
				Count:               len(recent),
				SyncKey:             s.acct.issueSyncKey(len(s.acct.log)),
				ChatSet:             strings.Join(chatSet, ",") + ",",
				SKey:                sess.skey,
				ClientVersion:       0x27001a34,
				SystemTime:          s.now().Unix(),
				GrayScale:           1,
				InviteStartCount:    40,
				ClickReportInterval: 600000,
			},
			ContactList:        recent,
			User:               s.contactLocked(sess, s.acct.contacts[SelfID], false, ""),
			MPSubscribeMsgList: []struct{}{},
		})
	})
}

// statusNotifyBody is webwxstatusnotify's body; ClientMsgId may be a
// number (the web client sends a timestamp) or a string.
type statusNotifyBody struct {
	BaseRequest  wechat.BaseRequest
	Code         int
	FromUserName string
	ToUserName   string
	ClientMsgId  json.RawMessage
}

// handleStatusNotify records a status notify (mark read, inited…).
func (s *Server) handleStatusNotify(req *request) {
	var body statusNotifyBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{passTicket: true}, func(sess *session) {
		clientMsgID := strings.Trim(string(body.ClientMsgId), `"`)
		self := s.nameLocked(sess, SelfID)
		_, knownTo := sess.ids[body.ToUserName]
		switch {
		case body.Code == 0 || body.FromUserName == "" || body.ToUserName == "" || clientMsgID == "" || clientMsgID == "null":
			s.violationLocked(req.endpoint, "Code, FromUserName, ToUserName and ClientMsgId are required")
			writeRet(req.w, 1, "param error")
			return
		case body.FromUserName != self:
			s.violationLocked(req.endpoint, "FromUserName is not self")
			writeRet(req.w, 1, "param error")
			return
		case !knownTo:
			s.violationLocked(req.endpoint, "ToUserName is not a UserName of this session")
			writeRet(req.w, 1, "param error")
			return
		case body.Code == wechat.StatusNotifyInited && body.ToUserName != self:
			s.violationLocked(req.endpoint, "code 3 (inited) must go to self")
		}
		s.rec.notifies = append(s.rec.notifies, wechat.StatusNotifyRequest{
			BaseRequest: body.BaseRequest, Code: body.Code, FromUserName: body.FromUserName,
			ToUserName: body.ToUserName, ClientMsgId: clientMsgID,
		})
		writeJSON(req.w, struct {
			BaseResponse wechat.BaseResponse
			MsgID        string
		}{MsgID: strconv.FormatInt(s.acct.nextMsgID(), 10)})
	})
}

// handleOpLog records webwxoplog calls (remarks, pins) and accepts them.
func (s *Server) handleOpLog(req *request) {
	var body struct{ BaseRequest wechat.BaseRequest }
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(*session) {
		s.rec.oplogs = append(s.rec.oplogs, req.body)
		writeRet(req.w, 0, "")
	})
}
