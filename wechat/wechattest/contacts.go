package wechattest

import "strconv"

// handleGetContact answers one page of the address book: friends, official
// accounts, groups saved to contacts (without members, as the real one)
// and filehelper. Seq is an opaque token for the next page, 0 at the end.
func (s *Server) handleGetContact(req *request) {
	s.withSession(req, nil, authSpec{skey: true}, func(sess *session) {
		offset := 0
		if seq := req.query.Get("seq"); seq != "" && seq != "0" {
			n, err := strconv.ParseInt(seq, 10, 64)
			off, ok := sess.contactSeqs[n]
			if err != nil || !ok {
				s.violationLocked(req.endpoint, "seq "+strconv.Quote(seq)+" was never returned")
				writeError(req, retParamError, "param error")
				return
			}
			offset = off
		}
		var book []*contactEntry
		for _, id := range s.acct.order {
			if e := s.acct.contacts[id]; e.inAddressBook() {
				book = append(book, e)
			}
		}
		offset = min(offset, len(book))
		end := min(offset+s.cfg.ContactPageSize, len(book))
		page := make([]wireContact, 0, end-offset)
		for _, e := range book[offset:end] {
			page = append(page, s.contactLocked(sess, e, false, ""))
		}
		var next int64
		if end < len(book) {
			next = 100_000_000 + randomInt63n(900_000_000)
			sess.contactSeqs[next] = end
		}
		a := newContactPage()
		a.MemberCount, a.MemberList, a.Seq = len(page), page, next
		writeJSON(req.w, a)
	})
}

// handleBatchGetContact resolves up to 50 UserNames. Groups come with
// their members; a member who is not a friend is only resolved when
// EncryChatRoomId names a group of theirs (its UserName or its
// EncryChatRoomId), else it comes back bare. Unknown UserNames are skipped.
// A call over the account's rate limit is answered 1205.
func (s *Server) handleBatchGetContact(req *request) {
	var body batchContactBody
	s.withJSONSession(req, &body, &body.BaseRequest, authSpec{officialPassTicket: true}, func(sess *session) {
		if s.rateLimitedLocked(req) {
			writeError(req, retTooFrequent, tooFrequentMsg)
			return
		}
		if n := max(body.Count, len(body.List)); n > maxBatchContacts {
			s.violationLocked(req.endpoint, "batch of "+strconv.Itoa(n)+" contacts (at most 50)")
			writeError(req, retParseRequest, "")
			return
		}
		if body.Count != len(body.List) {
			s.violationLocked(req.endpoint, "Count does not match len(List)")
		}
		out := []wireContact{}
		for _, item := range body.List {
			id, ok := sess.ids[item.UserName]
			if !ok {
				continue
			}
			e := s.acct.contacts[id]
			switch {
			case e.Group && e.deleted:
				continue
			case e.Group, id == SelfID, e.Friend && !e.deleted, isSpecialID(id):
				out = append(out, s.contactLocked(sess, e, e.Group, ""))
			default:
				if g := s.groupOfLocked(sess, item.EncryChatRoomId); g != nil && g.hasMember(id) {
					out = append(out, s.contactLocked(sess, e, false, s.encryLocked(sess, g.ID)))
				} else {
					bare := newWireContact()
					bare.UserName = item.UserName
					out = append(out, bare)
				}
			}
		}
		a := newBatchContactAnswer()
		a.Count, a.ContactList = len(out), out
		writeJSON(req.w, a)
	})
}

// groupOfLocked finds the live group a chatroom reference names: its
// UserName (the web client's way) or its EncryChatRoomId (ItChat's).
func (s *Server) groupOfLocked(sess *session, ref string) *contactEntry {
	if ref == "" {
		return nil
	}
	id, ok := sess.ids[ref]
	if !ok {
		id, ok = sess.encryIDs[ref]
	}
	if !ok {
		return nil
	}
	if g := s.acct.contacts[id]; g.Group && !g.deleted {
		return g
	}
	return nil
}
