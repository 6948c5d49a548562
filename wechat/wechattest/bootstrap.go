package wechattest

import (
	"strconv"
	"strings"
)

// handleInit answers webwxinit: self, the recent contacts, the ChatSet
// (recent chats, unsaved groups unless Dormant, filehelper; with a trailing comma as the
// real one) and a SyncKey at the end of the event log.
func (s *Server) handleInit(req *request) {
	var body initBody
	if !s.readBody(req, &body) {
		return
	}
	base := body.BaseRequest.base()
	s.withSession(req, &base, authSpec{emptySKeyOK: true, officialPassTicket: true}, func(sess *session) {
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
			case e.Group && !e.SavedToContacts && !e.Dormant, id == fileHelper:
				chatSet = append(chatSet, s.nameLocked(sess, id))
			}
		}
		a := newInitAnswer()
		a.Count = len(recent)
		a.ContactList = recent
		a.SyncKey = s.acct.issueSyncKey(len(s.acct.log))
		sess.synced = len(s.acct.log)
		a.User = s.contactLocked(sess, s.acct.contacts[SelfID], false, "")
		a.ChatSet = strings.Join(chatSet, ",") + ","
		a.SKey = sess.skey
		a.ClientVersion = 0x27001a34
		a.SystemTime = s.now().Unix()
		a.GrayScale = 1
		a.InviteStartCount = inviteStartCount
		a.ClickReportInterval = 600000
		writeJSON(req.w, a)
	})
}

// handleStatusNotify records a status notify (mark read, inited…).
func (s *Server) handleStatusNotify(req *request) {
	var body statusNotifyBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{officialPassTicket: true}, func(sess *session) {
		self := s.nameLocked(sess, SelfID)
		_, knownTo := sess.ids[body.ToUserName]
		fail := func(why string) {
			s.violationLocked(req.endpoint, why)
			writeError(req, retParamError, "param error")
		}
		switch {
		case body.Code == 0 || body.FromUserName == "" || body.ToUserName == "" || body.ClientMsgId == 0:
			fail("Code, FromUserName, ToUserName and ClientMsgId are required")
			return
		case body.FromUserName != self:
			fail("FromUserName is not self")
			return
		case !knownTo:
			fail("ToUserName is not a UserName of this session")
			return
		case body.Code == statusNotifyInited && body.ToUserName != self:
			s.violationLocked(req.endpoint, "code 3 (inited) must go to self")
		}
		s.rec.notifies = append(s.rec.notifies, StatusNotifyRequest(body))
		if body.Code == statusNotifyRead {
			s.markReadLocked(sess.ids[body.ToUserName])
		}
		writeJSON(req.w, &statusNotifyAnswer{MsgID: strconv.FormatInt(s.acct.nextMsgID(), 10)})
	})
}
