package wechattest

import (
	"hash/crc32"
	"strconv"
	"strings"
	"unicode"
)

// contactLocked renders a contact for a session. withMembers adds a
// group's MemberList, MemberCount, EncryChatRoomId and ChatRoomOwner
// (webwxgetcontact leaves them out, as the real server does). chatroom is
// the group EncryChatRoomId through which a non-friend was resolved.
func (s *Server) contactLocked(sess *session, e *contactEntry, withMembers bool, chatroom string) wireContact {
	name := s.nameLocked(sess, e.ID)
	py := pinyinish(e.NickName)
	c := newWireContact()
	c.UserName = name
	c.NickName = e.NickName
	c.HeadImgUrl = s.headImgURLLocked(sess, e, chatroom)
	c.ContactFlag = contactFlag(e)
	c.RemarkName = e.RemarkName
	c.Sex = e.Sex
	c.Signature = e.Signature
	c.VerifyFlag = e.VerifyFlag
	c.PYInitial = strings.ToUpper(py)
	c.PYQuanPin = py
	c.RemarkPYInitial = strings.ToUpper(pinyinish(e.RemarkName))
	c.RemarkPYQuanPin = pinyinish(e.RemarkName)
	c.AttrStatus = attrStatus(e)
	c.Province = e.Province
	c.City = e.City
	c.Alias = e.Alias
	c.KeyWord = keyWord(e)
	c.HeadImgFlag = 1
	if e.Friend {
		c.SnsFlag = 17
	}
	if e.ID == SelfID {
		c.Uin = sess.uin
		c.ContactFlag = 0
	}
	if e.Group {
		c.Statues = 1
		c.AttrStatus = 0
		c.KeyWord = ""
		if withMembers {
			c.EncryChatRoomId = s.encryLocked(sess, e.ID)
			if owner := e.owner(); owner != "" {
				c.ChatRoomOwner = s.nameLocked(sess, owner)
				if owner == SelfID {
					c.IsOwner = 1
				}
			}
			c.MemberList = make([]wireMember, 0, len(e.Members))
			for _, id := range e.Members {
				c.MemberList = append(c.MemberList, s.memberLocked(sess, e, id))
			}
			c.MemberCount = len(c.MemberList)
		}
	}
	return c
}

// memberLocked renders one MemberList entry: no HeadImgUrl, as on the
// real server.
func (s *Server) memberLocked(sess *session, group *contactEntry, id string) wireMember {
	m := s.acct.entry(id)
	py := pinyinish(m.NickName)
	return wireMember{
		UserName:    s.nameLocked(sess, id),
		NickName:    m.NickName,
		AttrStatus:  attrStatus(m),
		DisplayName: group.MemberDisplayNames[id],
		PYInitial:   strings.ToUpper(py),
		PYQuanPin:   py,
		KeyWord:     keyWord(m),
	}
}

// headImgURLLocked is the relative avatar URL of a contact.
func (s *Server) headImgURLLocked(sess *session, e *contactEntry, chatroom string) string {
	endpoint := "webwxgeticon"
	if e.Group {
		endpoint = "webwxgetheadimg"
	}
	u := apiPath + endpoint + "?seq=" + strconv.FormatInt(e.avatarSeq, 10) +
		"&username=" + s.nameLocked(sess, e.ID)
	if chatroom != "" {
		u += "&chatroomid=" + chatroom
	}
	return u + "&skey=" + sess.skey
}

func contactFlag(e *contactEntry) int {
	flag := baseContactFlag(e)
	if e.Pinned && !e.deleted && e.ContactFlag == 0 {
		flag |= contactFlagTop
	}
	return flag
}

func baseContactFlag(e *contactEntry) int {
	switch {
	case e.ContactFlag != 0:
		return e.ContactFlag
	case e.deleted:
		return 0
	case e.Group && e.SavedToContacts:
		return contactFlagContact | 2 | contactFlagChatRoom
	case e.Group:
		return 2 | contactFlagChatRoom
	case e.Friend:
		return contactFlagContact | 2
	}
	return 0
}

// attrStatus is stable per contact, like the real (weak) identifier.
func attrStatus(e *contactEntry) int64 {
	return int64(crc32.ChecksumIEEE([]byte(e.rawID)) & 0x3fffff)
}

// keyWord looks like the first characters of the permanent id.
func keyWord(e *contactEntry) string {
	if e.Group || len(e.rawID) < 3 {
		return ""
	}
	return e.rawID[:3]
}

// pinyinish stands in for PYQuanPin: the ASCII letters and digits of a
// name without its emoji markup, lower-cased.
func pinyinish(name string) string {
	name = emojiSpan.ReplaceAllString(name, "")
	var sb strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}
