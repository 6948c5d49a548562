package wechattest

import (
	"strconv"
	"time"
)

// RevokeWindow is how long after sending a message it can be revoked.
const RevokeWindow = 2 * time.Minute

const selfRecallText = "你撤回了一条消息"

// handleRevoke revokes a message this session sent, within RevokeWindow
// (by Config.Now), given the ClientMsgId it was sent with. Anything else
// answers -1 with an ErrMsg. A revoke is echoed as a 10002 notice.
func (s *Server) handleRevoke(req *request) {
	var body RevokeRequest
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(sess *session) {
		fail := func(why string) {
			s.violationLocked(req.endpoint, why)
			writeError(req, retSysError, why)
		}
		id, err := strconv.ParseInt(body.SvrMsgId, 10, 64)
		rec := sess.sent[id]
		switch {
		case err != nil || rec == nil:
			fail("SvrMsgId is not a message this session sent")
			return
		case body.ClientMsgId != rec.clientMsgID:
			fail("ClientMsgId is not the one the message was sent with")
			return
		case body.ToUserName != s.nameLocked(sess, rec.toID):
			fail("ToUserName is not the message's recipient")
			return
		case s.now().Sub(rec.at) > RevokeWindow:
			fail("more than 2 minutes since the message was sent")
			return
		}
		delete(sess.sent, id)
		s.rec.revokes = append(s.rec.revokes, body)
		s.injectLocked(Message{
			Chat: rec.toID, From: SelfID, Type: msgRecalled,
			XML: recallXML(s.acct.entry(rec.toID).rawID, id, selfRecallText),
		})
		writeJSON(req.w, &revokeAnswer{SysWording: selfRecallText})
	})
}
