package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestNextOutcome(t *testing.T) {
	tests := []struct {
		name      string
		code      int
		scanned   bool
		refreshes int
		want      pollOutcome
	}{
		{"waiting", wechat.PollWaiting, false, 0, outcomeKeepPolling},
		{"first scan", wechat.PollScanned, false, 0, outcomeScanned},
		{"scan again", wechat.PollScanned, true, 0, outcomeKeepPolling},
		{"confirmed", wechat.PollConfirmed, true, 0, outcomeConfirmed},
		{"cancelled", wechat.PollCancelled, true, 0, outcomeCancelled},
		{"expired", wechat.PollExpired, false, 0, outcomeRefreshQR},
		{"expired, last refresh", wechat.PollExpired, false, MaxQRRefreshes - 1, outcomeRefreshQR},
		{"expired too often", wechat.PollExpired, false, MaxQRRefreshes, outcomeExpired},
		{"unknown code", 999, false, 0, outcomeKeepPolling},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nextOutcome(tt.code, tt.scanned, tt.refreshes))
		})
	}
}

func TestLoginError(t *testing.T) {
	barred := &wechat.RetError{Endpoint: "webwxnewloginpage", Ret: wechat.RetLoginBarred, Message: "为了你的帐号安全"}
	err := loginError(barred)
	assert.ErrorIs(t, err, ErrLoginBarred)
	assert.Contains(t, err.Error(), "barred from web WeChat")
	assert.Contains(t, err.Error(), "login_mode: desktop")

	err = loginError(wechat.ErrUnexpectedResponse)
	assert.Contains(t, err.Error(), "Logging in to WeChat failed")
}

// newTestQRLogin starts a QR login against the simulator. Only the steps
// before the UserLogin is created are covered here: creating it needs a whole
// bridge (the end-to-end tests cover that).
func newTestQRLogin(t *testing.T, sim *wechattest.Server, mode string) (*QRLogin, *bridgev2.LoginStep) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	conn := &WeChatConnector{Bridge: &bridgev2.Bridge{BackgroundCtx: ctx}}
	require.NoError(t, conn.Config.UnmarshalYAML(yamlNode(t, "server_override: "+sim.URL()+"\nlogin_mode: "+mode)))
	ql := &QRLogin{conn: conn, log: zerolog.Nop()}
	t.Cleanup(ql.Cancel)
	step, err := ql.start(ctx, nil)
	require.NoError(t, err)
	return ql, step
}

func TestQRLoginSteps(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 200 * time.Millisecond})
	ql, step := newTestQRLogin(t, sim, "desktop")
	ctx := context.Background()

	require.Equal(t, LoginStepQR, step.StepID)
	require.Equal(t, bridgev2.LoginDisplayTypeQR, step.DisplayAndWaitParams.Type)
	uuid, err := sim.WaitForLogin(ctx)
	require.NoError(t, err)
	assert.Equal(t, wechat.QRPayloadPrefix+uuid, step.DisplayAndWaitParams.Data)

	// Expiry: a fresh QR under the same step ID.
	require.NoError(t, sim.ExpireQR(uuid))
	step, err = ql.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, LoginStepQR, step.StepID)
	assert.Contains(t, step.Instructions, "expired")
	uuid2, err := sim.WaitForLogin(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, uuid, uuid2)
	assert.Equal(t, wechat.QRPayloadPrefix+uuid2, step.DisplayAndWaitParams.Data)

	// Scan: a step that asks to confirm on the phone.
	require.NoError(t, sim.Scan(uuid2))
	step, err = ql.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, LoginStepScanned, step.StepID)
	assert.Contains(t, step.Instructions, "Confirm")

	// Cancel on the phone: a clear error.
	require.NoError(t, sim.CancelLogin(uuid2))
	_, err = ql.Wait(ctx)
	assert.ErrorIs(t, err, ErrLoginCancelledOnPhone)
}

func TestQRLoginRefreshBound(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 200 * time.Millisecond})
	ql, _ := newTestQRLogin(t, sim, "desktop")
	ctx := context.Background()
	for i := 0; i <= MaxQRRefreshes; i++ {
		uuid, err := sim.WaitForLogin(ctx)
		require.NoError(t, err)
		require.NoError(t, sim.ExpireQR(uuid))
		step, err := ql.Wait(ctx)
		if i < MaxQRRefreshes {
			require.NoError(t, err, "refresh %d", i+1)
			assert.Equal(t, LoginStepQR, step.StepID)
		} else {
			assert.ErrorIs(t, err, ErrLoginQRExpired)
		}
	}
}

func TestQRLoginCancelStopsWait(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 10 * time.Second})
	ql, _ := newTestQRLogin(t, sim, "web")
	done := make(chan error, 1)
	go func() {
		_, err := ql.Wait(context.Background())
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	ql.Cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(3 * time.Second):
		t.Fatal("Wait did not return after Cancel")
	}
}

func TestQRLoginWaitCtxCancel(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 10 * time.Second})
	ql, _ := newTestQRLogin(t, sim, "desktop")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ql.Wait(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)
}
