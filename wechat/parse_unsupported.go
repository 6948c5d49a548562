package wechat

import (
	"fmt"
	"strings"
)

// Unsupported is a message the package cannot show: an unknown MsgType, or
// a known one whose payload could not be read.
type Unsupported struct {
	MsgType    int
	AppMsgType int
	// Reason says what was unknown or what failed.
	Reason string
}

func (*Unsupported) isContent() {}

// maxReasonLen bounds Unsupported.Reason, which may quote the payload.
const maxReasonLen = 200

// unsupported describes a known message whose payload failed to parse.
func unsupported(raw *RawMessage, what string, err error) *Unsupported {
	reason := strings.ToValidUTF8(fmt.Sprintf("%s: %v", what, err), "\uFFFD")
	if len(reason) > maxReasonLen {
		reason = strings.ToValidUTF8(reason[:maxReasonLen], "") + "…"
	}
	return &Unsupported{MsgType: raw.MsgType, AppMsgType: raw.AppMsgType, Reason: reason}
}

// errNoElement says that a payload lacks a required element.
func errNoElement(name string) error {
	return fmt.Errorf("no <%s> element", name)
}
