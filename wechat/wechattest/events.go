package wechattest

// eventKind is what an entry of the event log carries.
type eventKind int

const (
	eventMessage    eventKind = iota + 1 // an AddMsgList item
	eventModContact                      // a ModContactList item
	eventDelContact                      // a DelContactList item
	eventProfile                         // a Profile change (BitFlag 190)
)

// event is one entry of the account's ordered event log. Events hold seed
// ids and are rendered with the UserNames of the session that syncs them.
type event struct {
	kind    eventKind
	msg     *storedMsg   // eventMessage
	contact contactEntry // eventModContact, eventDelContact: state at the time
	nick    string       // eventProfile
}

// Selector values of synccheck.
const (
	selectorNone         = 0
	selectorMessage      = 2
	selectorContact      = 4
	selectorStatusNotify = 7
)

func (s *Server) appendEventLocked(ev *event) {
	s.acct.log = append(s.acct.log, ev)
	s.notifyLocked()
}

func (s *Server) modContactLocked(e *contactEntry) {
	s.appendEventLocked(&event{kind: eventModContact, contact: e.snapshot()})
}

// selectorAfter says what synccheck reports for a client at pos: 2 when
// chat messages are pending, else 4 for contact or profile changes, else 7
// for status notifies, else 0.
func (a *account) selectorAfter(pos int) int {
	sel := selectorNone
	for _, ev := range a.log[min(pos, len(a.log)):] {
		switch {
		case ev.kind == eventMessage && ev.msg.Type != msgStatusNotify:
			return selectorMessage
		case ev.kind == eventMessage:
			if sel == selectorNone {
				sel = selectorStatusNotify
			}
		default:
			sel = selectorContact
		}
	}
	return sel
}

// batchAfter returns the events after pos that one webwxsync delivers (at
// most limit messages) and whether more remain.
func (a *account) batchAfter(pos, limit int) (evs []*event, more bool) {
	msgs := 0
	for _, ev := range a.log[min(pos, len(a.log)):] {
		if ev.kind == eventMessage {
			if msgs == limit {
				return evs, true
			}
			msgs++
		}
		evs = append(evs, ev)
	}
	return evs, false
}
