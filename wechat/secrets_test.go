package wechat_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSecretsStayOutOfLogsAndErrors runs a login, a sync with failures, a
// send and a download at trace level, then looks for every secret of the
// session in the log and in the errors that came back.
func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	var logs syncBuffer
	log := zerolog.New(&logs).Level(zerolog.TraceLevel)
	ctx := log.WithContext(testCtx(t))

	l, redirect := confirmedLogin(t, ctx, sim, cfg, log)
	sess, err := l.Complete(ctx, redirect)
	require.NoError(t, err)

	rec := newRecorder()
	c, err := wechat.NewClient(sess, cfg, log, rec.handle)
	require.NoError(t, err)
	init, err := c.Init(ctx)
	require.NoError(t, err)
	_, err = c.LoadRoster(ctx, init)
	require.NoError(t, err)
	c.Start(ctx)
	defer c.Stop()

	var errs []error
	sim.FailNext("synccheck", 2, wechattest.FaultReset)
	sim.FailNext("webwxsync", 1, wechattest.FaultHTTP500)
	id := sim.InjectText("alice", "", "hello")
	rec.waitForMessageID(t, id)
	_, err = c.SendText(ctx, sim.UserName("alice"), "hi", nil)
	require.NoError(t, err)
	sim.FailNext("webwxsendmsg", 1, wechattest.FaultReset)
	_, err = c.SendText(ctx, sim.UserName("alice"), "lost", nil)
	errs = append(errs, err)
	_, err = c.DownloadImage(ctx, "999", wechat.ImageOriginal)
	errs = append(errs, err)
	sim.EndSession(wechat.RetSessionInvalid)
	rec.waitFor(t, "logout", func() bool { return loggedOut(rec.all()) != nil })
	_, err = c.SendText(ctx, sim.UserName("alice"), "after logout", nil)
	errs = append(errs, err)

	final := c.Session()
	secrets := map[string]string{"skey": final.SKey, "wxsid": final.Sid, "pass_ticket": final.PassTicket}
	for _, ck := range final.Cookies {
		// The uin cookies hold the account number, which is logged on purpose.
		switch ck.Name {
		case "wxuin", "last_wxuin", "mm_lang", "login_frequency", "wxloadtime":
			continue
		}
		if len(ck.Value) >= 6 {
			secrets["cookie "+ck.Name] = ck.Value
		}
	}
	require.NotEmpty(t, logs.String(), "trace logging produced output to search")
	for name, value := range secrets {
		require.NotEmpty(t, value, name)
		assert.False(t, strings.Contains(logs.String(), value), "%s appears in the log", name)
		for _, e := range errs {
			if assert.Error(t, e) {
				assert.NotContains(t, e.Error(), value, "%s appears in an error", name)
			}
		}
	}
}
