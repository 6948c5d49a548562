package wechat

// SysNotice is a system notice (MsgType 9999), which the web client drops.
type SysNotice struct {
	Text string
}

func (*SysNotice) isContent() {}

// parseSysNotice reads a MsgType 9999, whose body is formatted text.
func parseSysNotice(body string) Content {
	return &SysNotice{Text: FormatText(body)}
}
