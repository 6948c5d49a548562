package wechattest

import (
	"strconv"
	"time"
)

// handleSync answers webwxsync: the events after the given SyncKey (the
// same events again for the same key), at most SyncBatchSize messages with
// ContinueFlag 1 when more remain. When nothing is new the SyncKey has
// Count 0 and an empty List, the quirk clients must not store. A key the
// account never issued answers -1.
func (s *Server) handleSync(req *request) {
	var body syncBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{passTicket: true, skey: true, sid: true}, func(sess *session) {
		pos, class := s.acct.classify(body.SyncKey)
		if class != keySync {
			why := "SyncKey was never issued to this account"
			switch {
			case len(body.SyncKey.List) == 0:
				why = "empty SyncKey (stored the Count 0 key of an idle answer?)"
			case body.SyncKey.Count != len(body.SyncKey.List):
				why = "SyncKey.Count does not match len(SyncKey.List)"
			case class == keyCheck:
				why = "SyncCheckKey sent as SyncKey"
			}
			s.violationLocked(req.endpoint, why)
			writeError(req, retSysError, "")
			return
		}
		evs, more := s.acct.batchAfter(pos, s.cfg.SyncBatchSize)
		resp := newSyncAnswer()
		for _, ev := range evs {
			s.renderEventLocked(sess, ev, resp)
		}
		resp.AddMsgCount = len(resp.AddMsgList)
		resp.ModContactCount = len(resp.ModContactList)
		resp.DelContactCount = len(resp.DelContactList)
		next := pos + len(evs)
		if len(evs) > 0 {
			resp.SyncKey = s.acct.issueSyncKey(next)
		}
		resp.SyncCheckKey = s.acct.issueCheckKey(next)
		sess.checkKeyIssued, sess.latestCheck = true, next
		if more {
			resp.ContinueFlag = 1
		}
		sess.synced = next
		if sess.nextSKey != "" {
			sess.rotatedSKeys[sess.skey] = true
			sess.skey, sess.nextSKey = sess.nextSKey, ""
		}
		resp.SKey = sess.skey
		writeCookies(req.w, s.refreshCookiesLocked(sess))
		writeJSON(req.w, resp)
	})
}

func (s *Server) renderEventLocked(sess *session, ev *event, resp *syncAnswer) {
	switch ev.kind {
	case eventMessage:
		resp.AddMsgList = append(resp.AddMsgList, s.renderMsgLocked(sess, ev.msg))
	case eventModContact:
		c := ev.contact
		resp.ModContactList = append(resp.ModContactList, s.contactLocked(sess, &c, c.Group, ""))
	case eventDelContact:
		resp.DelContactList = append(resp.DelContactList, delContact{UserName: s.nameLocked(sess, ev.contact.ID)})
	case eventProfile:
		self := s.acct.contacts[SelfID]
		resp.Profile = profile{
			BitFlag:   profileBitFlagChange,
			UserName:  buff{Buff: s.nameLocked(sess, SelfID)},
			NickName:  buff{Buff: ev.nick},
			Sex:       self.Sex,
			Alias:     self.Alias,
			Signature: self.Signature,
			HeadImgUrl: apiPath + "webwxgeticon?seq=" + strconv.FormatInt(self.avatarSeq, 10) +
				"&username=" + s.nameLocked(sess, SelfID) + "&skey=" + sess.skey,
		}
	}
}

func syncCheckBody(retcode, selector int) string {
	return `window.synccheck={retcode:"` + strconv.Itoa(retcode) + `",selector:"` + strconv.Itoa(selector) + `"}`
}

// handleSyncCheck is the long poll of the push host. It records which key
// the client used; a SyncKey sent after the session got a SyncCheckKey
// answers selector 2 at once (the spin real clients suffer), a key never
// issued answers selector 0 at once.
func (s *Server) handleSyncCheck(req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ret := s.authLocked(req, nil, authSpec{skey: true, sid: true, missingRet: retCookieInvalid})
	if sess != nil {
		switch {
		case req.query.Get("uin") != strconv.FormatInt(sess.uin, 10):
			sess, ret = nil, retSessionInvalid
			s.violationLocked(req.endpoint, "query uin does not match the session")
		case !validDeviceID(req.query.Get("deviceid")):
			sess, ret = nil, retSessionInvalid
			s.violationLocked(req.endpoint, "query deviceid is not \"e\" + 15 digits")
		}
	}
	if sess == nil {
		writeJS(req.w, syncCheckBody(ret, selectorNone))
		return
	}
	pos, class := 0, keyUnknown
	if k, ok := parseCheckKey(req.query.Get("synckey")); ok {
		pos, class = s.acct.classify(k)
	}
	switch {
	case class == keyCheck && sess.checkKeyIssued && pos == sess.latestCheck:
		s.rec.stats.WithSyncCheckKey++
	case class == keyCheck:
		s.rec.stats.Stale++
	case class == keySync:
		s.rec.stats.WithSyncKey++
		if sess.checkKeyIssued {
			s.violationLocked(req.endpoint, "SyncKey sent after a SyncCheckKey was issued")
			writeJS(req.w, syncCheckBody(0, selectorMessage))
			return
		}
	default:
		s.rec.stats.Other++
		s.violationLocked(req.endpoint, "synckey missing or never issued")
		writeJS(req.w, syncCheckBody(0, selectorNone))
		return
	}
	timer := time.NewTimer(s.cfg.SyncCheckHold)
	defer timer.Stop()
	for {
		if sess.dead != 0 {
			writeJS(req.w, syncCheckBody(sess.dead, selectorNone))
			return
		}
		if sel := s.acct.selectorAfter(pos); sel != selectorNone {
			writeJS(req.w, syncCheckBody(0, sel))
			return
		}
		if s.stuck != 0 {
			writeJS(req.w, syncCheckBody(0, s.stuck))
			return
		}
		if !s.waitLocked(req.r.Context(), timer.C) {
			break
		}
	}
	writeJS(req.w, syncCheckBody(0, selectorNone))
}
