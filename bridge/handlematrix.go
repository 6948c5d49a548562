package bridge

import (
	"context"
	"errors"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
)

// ErrSendingNotSupported is returned for every Matrix message until
// Matrix → WeChat sending is built.
var ErrSendingNotSupported = bridgev2.WrapErrorInStatus(errors.New("wxbridge cannot send messages to WeChat yet")).
	WithIsCertain(true).WithErrorAsMessage().WithErrorReason(event.MessageStatusUnsupported)

// HandleMatrixMessage refuses for now, visibly (see ErrSendingNotSupported).
func (c *WeChatClient) HandleMatrixMessage(ctx context.Context, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	return nil, ErrSendingNotSupported
}
