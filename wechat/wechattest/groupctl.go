package wechattest

import "errors"

var (
	// ErrNotGroup means the id names no group the account is in.
	ErrNotGroup = errors.New("wechattest: not a group of the account")
	// ErrNotFriend means the id names no friend of the account.
	ErrNotFriend = errors.New("wechattest: not a friend of the account")
)

// RenameGroup plays the user renaming a group on the phone: the client
// gets the group's ModContactList and the system message
// "你修改群名为“name”", as after webwxupdatechatroom fun=modtopic.
func (s *Server) RenameGroup(groupID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.acct.contacts[groupID]
	if g == nil || !g.Group || g.deleted {
		return ErrNotGroup
	}
	if name == "" {
		return errors.New("wechattest: a group name cannot be empty")
	}
	s.applyChatRoomUpdateLocked(g, ChatRoomUpdate{Fun: funModTopic, GroupID: groupID, Topic: name})
	s.noteLocked("group", "You renamed a group on the phone to “"+name+"”")
	return nil
}

// AddGroupMember plays the user adding a friend to a group on the phone:
// the client gets the group's ModContactList with the new member and the
// system message "你邀请"X"加入了群聊", as after webwxupdatechatroom
// fun=addmember.
func (s *Server) AddGroupMember(groupID, memberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.acct.contacts[groupID]
	if g == nil || !g.Group || g.deleted {
		return ErrNotGroup
	}
	m := s.acct.contacts[memberID]
	if m == nil || !m.Friend || m.deleted || m.Group || memberID == SelfID {
		return ErrNotFriend
	}
	s.applyChatRoomUpdateLocked(g, ChatRoomUpdate{Fun: funAddMember, GroupID: groupID, Members: []string{memberID}})
	s.noteLocked("group", "You added "+m.NickName+" to "+g.NickName+" on the phone")
	return nil
}
