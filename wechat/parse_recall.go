package wechat

import (
	"errors"
	"strconv"
)

// Recall says that a message was recalled (MsgType 10002).
type Recall struct {
	// MsgID is the MsgId of the recalled message (<msgid>). 0 means "the
	// last message I sent".
	MsgID int64
	// OldMsgID is <oldmsgid>, the recalled message's older id form.
	OldMsgID int64
	// ReplaceText is the notice to show instead ("X" 撤回了一条消息).
	ReplaceText string
}

func (*Recall) isContent() {}

// parseRecall reads the <sysmsg type="revokemsg"> of a 10002. Other sysmsg
// types arrive as 10002 too (pats, templates) and become *Unsupported.
func parseRecall(raw *RawMessage, body string) Content {
	root, err := decodePayload(body)
	if err != nil {
		return unsupported(raw, "recall XML", err)
	}
	if typ := root.attr("type"); typ != "" && typ != "revokemsg" {
		return unsupported(raw, "recall XML", errors.New("sysmsg type "+strconv.Quote(truncate(typ, 32))))
	}
	rev := root.self("revokemsg")
	if rev == nil {
		return unsupported(raw, "recall XML", errNoElement("revokemsg"))
	}
	msgID, err := strconv.ParseInt(rev.textOf("msgid"), 10, 64)
	if err != nil {
		return unsupported(raw, "recall msgid", err)
	}
	oldID, _ := strconv.ParseInt(rev.textOf("oldmsgid"), 10, 64)
	return &Recall{
		MsgID:       msgID,
		OldMsgID:    oldID,
		ReplaceText: formatSystemText(rev.textOf("replacemsg")),
	}
}
