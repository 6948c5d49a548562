package wechattest

import (
	"strconv"

	"github.com/wxbridge/wxbridge/wechat"
)

// handleVerifyUser accepts friend requests (Opcode 3 with the request's
// UserName and Ticket) and records requests sent (Opcode 2). An accepted
// person becomes a friend: a ModContact and the 10000 notice
// "你已添加了X，现在可以开始聊天了。" follow in the event log.
func (s *Server) handleVerifyUser(req *request) {
	var body wechat.VerifyUserRequest
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(sess *session) {
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeRet(req.w, ret, why)
		}
		switch {
		case body.Skey != "" && body.Skey != sess.skey:
			fail(wechat.RetSessionInvalid, "skey in the body does not match the session")
			return
		case len(body.VerifyUserList) == 0 || body.VerifyUserListSize != len(body.VerifyUserList):
			fail(1, "VerifyUserListSize must equal len(VerifyUserList) and be non-zero")
			return
		}
		ids := make([]string, len(body.VerifyUserList))
		for i, v := range body.VerifyUserList {
			id, ok := sess.ids[v.Value]
			if !ok {
				fail(1, "Value "+strconv.Quote(v.Value)+" is not a UserName of this session")
				return
			}
			ids[i] = id
			if body.Opcode == wechat.VerifyOpVerifyOK {
				if fr := s.acct.requests[id]; fr == nil || fr.ticket != v.VerifyUserTicket {
					fail(-1, "no pending friend request with that VerifyUserTicket")
					return
				}
			}
		}
		switch body.Opcode {
		case wechat.VerifyOpVerifyOK:
			for _, id := range ids {
				s.acceptFriendLocked(id)
			}
		case wechat.VerifyOpSendRequest:
		default:
			fail(1, "unsupported Opcode "+strconv.Itoa(body.Opcode))
			return
		}
		s.rec.verifies = append(s.rec.verifies, body)
		writeRet(req.w, 0, "")
	})
}

func (s *Server) acceptFriendLocked(id string) {
	delete(s.acct.requests, id)
	e := s.acct.contacts[id]
	e.Friend = true
	s.modContactLocked(e)
	s.injectLocked(Message{Chat: id, Type: wechat.MsgTypeSys, Text: "你已添加了" + e.NickName + "，现在可以开始聊天了。"})
}
