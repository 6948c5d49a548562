package wechat

import (
	"context"
	"fmt"
	"net/url"
)

// webwxoplog commands (reference §8.2).
const (
	opLogCmdRemark = 2
	opLogCmdPin    = 3
)

// OpLogRequest is the body of webwxoplog. RemarkName is always sent: a pin
// without it clears the contact's remark (W4U).
type OpLogRequest struct {
	BaseRequest BaseRequest
	CmdId       int
	// OP is only in a pin: 1 pins, 0 unpins.
	OP         *int `json:",omitempty"`
	RemarkName string
	UserName   string
}

// SetRemarkName sets (or, with "", clears) the remark name of a contact
// (webwxoplog CmdId 2). The server answers with the contact's new record in
// a ModContactList when it applies it; openwechat reports that it no longer
// does for every account.
func (c *Client) SetRemarkName(ctx context.Context, userName, remark string) error {
	return c.opLog(ctx, OpLogRequest{CmdId: opLogCmdRemark, RemarkName: remark, UserName: userName})
}

// SetPinned pins or unpins a chat (webwxoplog CmdId 3). remark must be the
// contact's current remark name, which the call would otherwise clear.
func (c *Client) SetPinned(ctx context.Context, userName string, pinned bool, remark string) error {
	req := OpLogRequest{CmdId: opLogCmdPin, RemarkName: remark, UserName: userName}
	op := 0
	if pinned {
		op = 1
	}
	req.OP = &op
	return c.opLog(ctx, req)
}

func (c *Client) opLog(ctx context.Context, req OpLogRequest) error {
	if req.UserName == "" {
		return fmt.Errorf("wechat: webwxoplog needs a UserName")
	}
	v := c.view()
	req.BaseRequest = v.base
	var resp GenericResponse
	return c.t.callJSON(ctx, "webwxoplog", c.webURL(v, "webwxoplog", url.Values{"lang": {"zh_CN"}}), req, &resp)
}
