package wechattest

import "time"

// phoneRecords is what the phone page shows beyond the event log: the
// account's notes (what happened to the account, newest last) and where
// the client last marked each chat read.
type phoneRecords struct {
	notes []phoneNote
	// readAt is, by chat seed id, the event log position at the client's
	// latest webwxstatusnotify code 1 (mark read) for that chat.
	readAt map[string]int
}

// phoneNote is one line of the account's events on the phone page.
type phoneNote struct {
	Time int64  `json:"time"` // Unix milliseconds
	Kind string `json:"kind"` // login, session-ended, skey, fault, friend-request, group
	Text string `json:"text"`
}

// maxPhoneNotes bounds the notes kept; older ones are dropped.
const maxPhoneNotes = 200

func newPhoneRecords() phoneRecords {
	return phoneRecords{readAt: make(map[string]int)}
}

// noteLocked adds a line to the account's events and wakes the page.
func (s *Server) noteLocked(kind, text string) {
	n := phoneNote{Time: s.now().UnixMilli(), Kind: kind, Text: text}
	s.phone.notes = append(s.phone.notes, n)
	if len(s.phone.notes) > maxPhoneNotes {
		s.phone.notes = s.phone.notes[len(s.phone.notes)-maxPhoneNotes:]
	}
	s.notifyLocked()
}

// markReadLocked records that the client read chat up to now.
func (s *Server) markReadLocked(chat string) {
	s.phone.readAt[chat] = len(s.acct.log)
}

// unixMilli is t in Unix milliseconds, 0 for the zero time.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
