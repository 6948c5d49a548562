package wechattest

import "strconv"

// handleVerifyUser accepts friend requests (Opcode 3 with the request's
// UserName and Ticket) and records requests sent (Opcode 2). An accepted
// person becomes a friend: a ModContact and the 10000 notice
// "你已添加了X，现在可以开始聊天了。" follow in the event log.
func (s *Server) handleVerifyUser(req *request) {
	var body VerifyUserRequest
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(sess *session) {
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeError(req, ret, why)
		}
		switch {
		case body.Skey != "" && body.Skey != sess.skey:
			fail(retSessionInvalid, "skey in the body does not match the session")
			return
		case len(body.VerifyUserList) == 0 || body.VerifyUserListSize != len(body.VerifyUserList):
			fail(retParamError, "VerifyUserListSize must equal len(VerifyUserList) and be non-zero")
			return
		case body.SceneListCount != len(body.SceneList):
			s.violationLocked(req.endpoint, "SceneListCount does not match len(SceneList)")
		}
		ids := make([]string, len(body.VerifyUserList))
		for i, v := range body.VerifyUserList {
			id, ok := sess.ids[v.Value]
			if !ok {
				fail(retParamError, "Value "+strconv.Quote(v.Value)+" is not a UserName of this session")
				return
			}
			ids[i] = id
			if body.Opcode == verifyOK {
				if fr := s.acct.requests[id]; fr == nil || fr.ticket != v.VerifyUserTicket {
					fail(retSysError, "no pending friend request with that VerifyUserTicket")
					return
				}
			}
		}
		switch body.Opcode {
		case verifyOK:
			for _, id := range ids {
				s.acceptFriendLocked(id)
			}
		case verifySendRequest:
		default:
			fail(retParamError, "unsupported Opcode "+strconv.Itoa(body.Opcode))
			return
		}
		s.rec.verifies = append(s.rec.verifies, body)
		writeJSON(req.w, &genericAnswer{})
	})
}

func (s *Server) acceptFriendLocked(id string) {
	delete(s.acct.requests, id)
	e := s.acct.contacts[id]
	e.Friend = true
	s.modContactLocked(e)
	s.injectLocked(Message{Chat: id, Type: msgSys, Text: "你已添加了" + e.NickName + "，现在可以开始聊天了。"})
}
