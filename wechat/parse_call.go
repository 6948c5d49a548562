package wechat

// Call kinds, from the VoIP message types.
const (
	// CallInvite is an incoming call (MsgType 53).
	CallInvite = "invite"
	// CallMissed is a call message the web client can only point to the
	// phone for (MsgType 50).
	CallMissed = "missed"
	// CallEnded is the end of a call (MsgType 52).
	CallEnded = "ended"
)

// Call is a voice or video call event (MsgType 50, 52 and 53). Web clients
// cannot take calls.
type Call struct {
	// Kind is CallInvite, CallMissed or CallEnded.
	Kind string
}

func (*Call) isContent() {}

// parseCall maps a VoIP MsgType to a call kind; the payload is not read.
func parseCall(msgType int) Content {
	switch msgType {
	case MsgTypeVoIPInvite:
		return &Call{Kind: CallInvite}
	case MsgTypeVoIPNotify:
		return &Call{Kind: CallEnded}
	}
	return &Call{Kind: CallMissed}
}
