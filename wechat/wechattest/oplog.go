package wechattest

// handleOpLog answers webwxoplog (reference §8.2): CmdId 2 sets the remark
// name of a contact, CmdId 3 pins (OP 1) or unpins (OP 0) a chat and sets
// the remark name it carries, so that a pin without the current remark
// clears it, as W4U found. Each applied change comes back to the client as
// a ModContactList entry, as the phone's does.
func (s *Server) handleOpLog(req *request) {
	var body opLogBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{}, func(sess *session) {
		s.rec.oplogs = append(s.rec.oplogs, req.body)
		id, known := sess.ids[body.UserName]
		switch {
		case body.CmdId != opLogRemark && body.CmdId != opLogPin:
			s.violationLocked(req.endpoint, "CmdId is neither 2 (remark) nor 3 (pin)")
			writeError(req, retParamError, "param error")
			return
		case body.CmdId == opLogPin && body.OP != 0 && body.OP != 1:
			s.violationLocked(req.endpoint, "OP of a pin is neither 0 nor 1")
			writeError(req, retParamError, "param error")
			return
		case !known || id == SelfID:
			writeError(req, retParamError, "param error")
			return
		}
		if s.acct.isGroup(id) && body.CmdId == opLogRemark {
			// Groups have no remark names: the server ignores the call.
			writeJSON(req.w, &genericAnswer{})
			return
		}
		e := s.changeContactLocked(id, func(c *SeedContact) {
			c.RemarkName = body.RemarkName
			if body.CmdId == opLogPin {
				c.Pinned = body.OP == 1
			}
		})
		if e != nil {
			s.modContactLocked(e)
		}
		writeJSON(req.w, &genericAnswer{})
	})
}
