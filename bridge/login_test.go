package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"

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
	tests := []struct {
		name     string
		err      error
		wantCode string
		want     []string
	}{
		{"1203 with WeChat's words", &wechat.RetError{Endpoint: "webwxnewloginpage", Ret: wechat.RetLoginBarred, Message: " 为了你的帐号安全 "},
			ErrLoginBarred.ErrCode, []string{"error 1203", `(WeChat said: "为了你的帐号安全")`, "can make that last longer", "send `login`", "`desktop`"}},
		{"no session handed out", wechat.ErrLoginBarred, ErrLoginBarred.ErrCode, []string{"error 1203", "for now. Each new attempt"}},
		{"anything else", wechat.ErrUnexpectedResponse, ErrLoginFailed.ErrCode, []string{"Logging in to WeChat failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loginError(tt.err)
			var resp bridgev2.RespError
			require.ErrorAs(t, err, &resp)
			assert.Equal(t, tt.wantCode, resp.ErrCode)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// newTestQRLogin starts a QR login against the simulator. Only the steps
// before the UserLogin is created are covered here: creating it needs a whole
// bridge (the end-to-end tests cover that).
func newTestQRLogin(t *testing.T, sim *wechattest.Server, mode string) (*QRLogin, *bridgev2.LoginStep) {
	t.Helper()
	ql := newQRLoginNotStarted(t, sim, mode)
	step, err := ql.start(context.Background(), nil)
	require.NoError(t, err)
	return ql, step
}

// newQRLoginNotStarted is a QR login against the simulator, not started.
func newQRLoginNotStarted(t *testing.T, sim *wechattest.Server, mode string) *QRLogin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	conn := &WeChatConnector{Bridge: &bridgev2.Bridge{BackgroundCtx: ctx}}
	require.NoError(t, conn.Config.UnmarshalYAML(yamlNode(t, "server_override: "+sim.URL()+"\nlogin_mode: "+mode)))
	ql := &QRLogin{conn: conn, log: zerolog.Nop()}
	t.Cleanup(ql.Cancel)
	return ql
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

// restrictedLogin is a logged-out login whose account WeChat restricted
// an hour ago.
func restrictedLogin(pushRefused bool) *bridgev2.UserLogin {
	return &bridgev2.UserLogin{UserLogin: &database.UserLogin{
		ID: "1234567",
		Metadata: &UserLoginMetadata{
			LoggedOutRet:     wechat.RetCookieInvalid,
			LoggedOutCode:    WXRestricted,
			Restriction:      &Restriction{Code: WXRestricted, At: time.Now().Add(-time.Hour)},
			PushLoginRefused: pushRefused,
		},
	}}
}

// TestQRLoginAsksFirst: logging in an account WeChat restricted recently
// starts with a question, and nothing reaches WeChat before a yes.
func TestQRLoginAsksFirst(t *testing.T) {
	tests := []struct {
		answer string
		wantQR bool
	}{
		{"yes", true},
		{" YES ", true},
		{"no", false},
		{"", false},
		{"y", false},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 200 * time.Millisecond})
			ql := newQRLoginNotStarted(t, sim, "desktop")
			ctx := context.Background()
			step, err := ql.start(ctx, restrictedLogin(true))
			require.NoError(t, err)
			assert.Equal(t, LoginStepConfirm, step.StepID)
			assert.Equal(t, bridgev2.LoginStepTypeUserInput, step.Type)
			assert.Contains(t, step.Instructions, "1 hour ago")
			require.Len(t, step.UserInputParams.Fields, 1)
			assert.Empty(t, sim.Requests("jslogin"), "nothing was sent to WeChat before the answer")

			step, err = ql.SubmitUserInput(ctx, map[string]string{confirmFieldID: tt.answer})
			if !tt.wantQR {
				assert.ErrorIs(t, err, ErrLoginNotConfirmed)
				assert.Nil(t, step)
				assert.Empty(t, sim.Requests("jslogin"), "nothing was sent to WeChat after a no")
				_, err = ql.SubmitUserInput(ctx, map[string]string{confirmFieldID: "yes"})
				assert.ErrorIs(t, err, ErrLoginNotStarted, "the question is asked once per login")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, LoginStepQR, step.StepID)
			assert.Contains(t, step.Instructions, "refused the last push login", "it says why there is no push login")
			assert.Len(t, sim.Requests("jslogin"), 1)
			assert.Empty(t, sim.Requests("webwxpushloginurl"), "no push login after WeChat refused the last one")
		})
	}
}

// TestQRLoginNoQuestionWithoutRestriction: a login of an account with no
// recent restriction goes straight to WeChat.
func TestQRLoginNoQuestionWithoutRestriction(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{LoginPollHold: 200 * time.Millisecond})
	ql := newQRLoginNotStarted(t, sim, "desktop")
	old := restrictedLogin(true)
	loginMeta(old).Restriction.At = time.Now().Add(-15 * 24 * time.Hour)
	step, err := ql.start(context.Background(), old)
	require.NoError(t, err)
	assert.Equal(t, LoginStepQR, step.StepID, "the cool-down has passed")
	_, err = ql.SubmitUserInput(context.Background(), map[string]string{confirmFieldID: "yes"})
	assert.ErrorIs(t, err, ErrLoginNotStarted, "there was no question to answer")
}
