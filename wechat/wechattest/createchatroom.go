package wechattest

import (
	"strconv"
	"strings"
)

// handleCreateChatRoom answers webwxcreatechatroom (reference §8.4). The
// body is read strictly: MemberCount must match MemberList, at least two
// members besides the account, each a friend's UserName of this session.
// How a well-formed call is answered is Config.GroupCreation (refused
// unless a test allows it, as for most accounts since 2018). A created
// group belongs to the account, comes back as a ModContactList entry and
// the phone's system message (你邀请"X"、"Y"加入了群聊), and is answered
// with its ChatRoomName and member list.
func (s *Server) handleCreateChatRoom(req *request) {
	var body createChatRoomBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{officialPassTicket: true}, func(sess *session) {
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeJSON(req.w, errorAnswer(req.endpoint, ret, why))
		}
		if req.query.Get("r") == "" {
			s.violationLocked(req.endpoint, "no r in the query (the official client sends a timestamp)")
		}
		if body.MemberCount != len(body.MemberList) {
			fail(retParamError, "MemberCount "+strconv.Itoa(body.MemberCount)+" but "+strconv.Itoa(len(body.MemberList))+" in MemberList")
			return
		}
		if len(body.MemberList) < 2 {
			fail(retParamError, "a group needs at least 2 members besides the account")
			return
		}
		rec := CreatedChatRoom{Topic: body.Topic, Answer: s.cfg.GroupCreation}
		for _, m := range body.MemberList {
			id, ok := sess.ids[m.UserName]
			switch {
			case !ok:
				fail(retParamError, "member "+strconv.Quote(m.UserName)+" is not a UserName of this session")
				return
			case id == SelfID:
				fail(retParamError, "the account itself in MemberList (it is the group's owner already)")
				return
			}
			rec.Members = append(rec.Members, id)
		}
		for _, id := range rec.Members {
			if e := s.acct.contacts[id]; e == nil || !e.Friend || e.deleted || e.Group {
				s.rec.chatRoomRefusals = append(s.rec.chatRoomRefusals, "only friends can be in a new group")
				writeJSON(req.w, errorAnswer(req.endpoint, retLogicError, "only friends can be in a new group"))
				return
			}
		}
		var g *contactEntry
		if rec.Answer == GroupCreationAllowed || rec.Answer == GroupCreationCreatedAnyway {
			g = s.createGroupLocked(body.Topic, rec.Members)
			rec.GroupID = g.ID
		}
		s.rec.created = append(s.rec.created, rec)
		switch rec.Answer {
		case GroupCreationTooFrequent:
			writeJSON(req.w, errorAnswer(req.endpoint, retParamError, createTooFrequentErrMsg))
			return
		case GroupCreationRefused, GroupCreationCreatedAnyway:
			a := newCreateChatRoomAnswer()
			a.BaseResponse.ErrMsg = createRefusedErrMsg
			writeJSON(req.w, a)
			return
		}
		a := newCreateChatRoomAnswer()
		a.ChatRoomName = s.nameLocked(sess, g.ID)
		a.Topic = body.Topic
		a.MemberCount = len(g.Members)
		for _, id := range g.Members {
			a.MemberList = append(a.MemberList, wireMember{UserName: s.nameLocked(sess, id), NickName: s.acct.contacts[id].NickName})
		}
		writeJSON(req.w, a)
	})
}

// createGroupLocked adds a group the account owns with members and
// appends what the phone shows: the group's record and the system
// message naming whom the account invited.
func (s *Server) createGroupLocked(topic string, members []string) *contactEntry {
	id := ""
	for n := len(s.acct.order); id == ""; n++ {
		if c := "newgroup" + strconv.Itoa(n); s.acct.contacts[c] == nil {
			id = c
		}
	}
	g := s.acct.put(SeedContact{ID: id, NickName: topic, Group: true, Owner: SelfID,
		Members: append([]string{SelfID}, members...)})
	names := make([]string, 0, len(members))
	for _, m := range members {
		names = append(names, `"`+s.acct.contacts[m].NickName+`"`)
	}
	s.modContactLocked(g)
	s.injectLocked(Message{Chat: g.ID, Type: msgSys, Text: "你邀请" + strings.Join(names, "、") + "加入了群聊"})
	return g
}

// SetGroupCreation changes how webwxcreatechatroom is answered from now
// on (Config.GroupCreation). It returns false for an unknown mode.
func (s *Server) SetGroupCreation(mode GroupCreation) bool {
	if !ValidGroupCreation(string(mode)) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.GroupCreation = mode
	return true
}

// CreatedChatRooms are the well-formed webwxcreatechatroom calls, in
// order, with how each was answered.
func (s *Server) CreatedChatRooms() []CreatedChatRoom { return snapshot(s, &s.rec.created) }
