package msgconv_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// TestSendError: what the sender of a failed message reads, and whether
// the message certainly did not reach WeChat.
func TestSendError(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantMessage string
		wantCertain bool
	}{
		{"session ended", &wechat.RetError{Endpoint: "webwxsendmsg", Ret: wechat.RetSessionInvalid},
			"WeChat ended the session; send `login` to the bridge bot to log in again, then resend", true},
		{"too frequent after the retries", &wechat.RetError{Endpoint: "webwxsendmsg", Ret: wechat.RetTooFrequent},
			"WeChat refused the message because too many were sent in a short time; wait a minute and resend", true},
		{"timed out", context.DeadlineExceeded, "sending to WeChat timed out", false},
		{"anything else", &wechat.HTTPError{Endpoint: "webwxsendmsg", Status: 500}, "WeChat did not accept the message", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := msgconv.SendError(tt.err)
			require.ErrorIs(t, err, tt.err)
			var st bridgev2.MessageStatus
			require.True(t, errors.As(err, &st))
			assert.True(t, st.SendNotice)
			assert.Equal(t, tt.wantCertain, st.IsCertain)
			notice := st.ToNoticeEvent(&bridgev2.MessageStatusEventInfo{})
			assert.Contains(t, notice.Body, tt.wantMessage)
			if tt.wantCertain {
				assert.Contains(t, notice.Body, "was not bridged")
			}
		})
	}
}
