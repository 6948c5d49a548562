package wechattest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInducedIsNotAViolation: a refusal that follows from what the test
// changed while a request was on its way is answered like a violation
// but recorded apart; the same request after the client could know
// better is the client's violation.
func TestInducedIsNotAViolation(t *testing.T) {
	t.Run("skey rotated away", func(t *testing.T) {
		s, c, init := loggedIn(t, Config{})
		s.RotateSKey()
		r := c.sync(init.SyncKey)
		require.Equal(t, 0, r.BaseResponse.Ret)

		assert.Equal(t, retSessionInvalid, c.sync(init.SyncKey).BaseResponse.Ret, "the old skey is refused")
		assert.Empty(t, s.Violations())
		assert.Equal(t, []string{"webwxsync: BaseRequest.Skey does not match the session (an skey RotateSKey replaced)"}, s.Induced())

		c.skey = "@crypt_never_issued"
		assert.Equal(t, retSessionInvalid, c.sync(init.SyncKey).BaseResponse.Ret)
		assert.Equal(t, []string{"webwxsync: BaseRequest.Skey does not match the session"}, s.Violations(), "an skey never issued is the client's")
	})
	t.Run("contact deleted before the client synced", func(t *testing.T) {
		s, c, init := loggedIn(t, Config{})
		bob := s.UserName("bob")
		s.DeleteContact("bob")

		assert.Equal(t, retBadRecipient, c.sendText(bob, "hi", "17000000000001001").BaseResponse.Ret)
		assert.Empty(t, s.Violations())
		assert.Equal(t, []string{"webwxsendmsg: Msg.ToUserName was deleted after the client's last webwxsync"}, s.Induced())

		r := c.sync(init.SyncKey)
		require.Equal(t, 1, r.DelContactCount)
		assert.Equal(t, retBadRecipient, c.sendText(bob, "hi", "17000000000001002").BaseResponse.Ret)
		assert.Equal(t, []string{"webwxsendmsg: Msg.ToUserName is not a friend, group or filehelper of this session"}, s.Violations(),
			"after the DelContact reached the client, sending to it is the client's mistake")
		assert.Empty(t, s.Sent())
	})
}
