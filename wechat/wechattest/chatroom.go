package wechattest

import (
	"slices"
	"strconv"
	"strings"
)

// handleUpdateChatRoom renames a group (fun=modtopic), removes members
// (delmember, owner only), adds friends (addmember) or invites them
// (invitemember), as the real server does. A change comes back in the
// event log as a ModContactList entry for the group and the system message
// the phone shows ("你修改群名为“X”", "你将"X"移出了群聊",
// "你邀请"X"加入了群聊"); an invitation changes nothing until it is
// accepted. WeChat's refusals (not the owner, not a friend) are answered
// with Ret -2 and recorded as such, not as violations.
func (s *Server) handleUpdateChatRoom(req *request) {
	var body UpdateChatRoomRequest
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{officialPassTicket: true}, func(sess *session) {
		fail := func(ret int, why string) {
			s.violationLocked(req.endpoint, why)
			writeError(req, ret, why)
		}
		refuse := func(why string) {
			s.rec.chatRoomRefusals = append(s.rec.chatRoomRefusals, why)
			writeError(req, retLogicError, why)
		}
		g := s.groupOfLocked(sess, body.ChatRoomName)
		if g == nil {
			fail(retParamError, "ChatRoomName "+strconv.Quote(body.ChatRoomName)+" is not a group of this session")
			return
		}
		fun := req.query.Get("fun")
		up := ChatRoomUpdate{Fun: fun, GroupID: g.ID}
		var list string
		switch fun {
		case funModTopic:
			if body.NewTopic == "" {
				fail(retParamError, "modtopic without NewTopic")
				return
			}
			up.Topic = body.NewTopic
		case funDelMember:
			list = body.DelMemberList
		case funAddMember:
			list = body.AddMemberList
			if len(g.Members) >= inviteStartCount {
				s.violationLocked(req.endpoint, "addmember to a group of "+strconv.Itoa(len(g.Members))+
					" members (the official client invites from InviteStartCount on)")
			}
		case funInviteMember:
			list = body.InviteMemberList
		default:
			fail(retParamError, "unknown fun "+strconv.Quote(fun))
			return
		}
		if fun != funModTopic {
			if list == "" {
				fail(retParamError, fun+" with an empty member list")
				return
			}
			for _, name := range strings.Split(list, ",") {
				id, ok := sess.ids[name]
				if !ok {
					fail(retParamError, "member "+strconv.Quote(name)+" is not a UserName of this session")
					return
				}
				up.Members = append(up.Members, id)
			}
		}
		switch fun {
		case funDelMember:
			if g.owner() != SelfID {
				refuse("only the group owner can remove members")
				return
			}
			for _, id := range up.Members {
				if !g.hasMember(id) || id == SelfID {
					refuse("not a member that can be removed")
					return
				}
			}
		case funAddMember, funInviteMember:
			for _, id := range up.Members {
				if e := s.acct.contacts[id]; e == nil || !e.Friend || e.deleted {
					refuse("only friends can be added to a group")
					return
				}
			}
		}
		s.applyChatRoomUpdateLocked(g, up)
		s.rec.chatRooms = append(s.rec.chatRooms, up)
		writeJSON(req.w, &genericAnswer{})
	})
}

// applyChatRoomUpdateLocked changes the group and appends what the phone
// would see: the new record and a system message.
func (s *Server) applyChatRoomUpdateLocked(g *contactEntry, up ChatRoomUpdate) {
	names := make([]string, 0, len(up.Members))
	for _, id := range up.Members {
		names = append(names, `"`+s.acct.contacts[id].NickName+`"`)
	}
	var text string
	switch up.Fun {
	case funModTopic:
		g.NickName = up.Topic
		text = "你修改群名为“" + up.Topic + "”"
	case funDelMember:
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return slices.Contains(up.Members, m) })
		text = "你将" + strings.Join(names, "、") + "移出了群聊"
	case funAddMember:
		for _, id := range up.Members {
			if !g.hasMember(id) {
				g.Members = append(g.Members, id)
			}
		}
		text = "你邀请" + strings.Join(names, "、") + "加入了群聊"
	case funInviteMember:
		return // nothing changes until the invitation is accepted
	}
	s.modContactLocked(g)
	s.injectLocked(Message{Chat: g.ID, Type: msgSys, Text: text})
}
