package wechattest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestFaultsByEndpoint(t *testing.T) {
	tests := []struct {
		endpoint   string
		path       string
		fault      Fault
		wantStatus int
		wantBody   string
	}{
		{"webwxsync", api("webwxsync"), FaultHTTP500, 500, "Internal Server Error"},
		{"webwxsync", api("webwxsync"), FaultMalformed, 200, `{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":1,"AddMsgList":[{"MsgId":"`},
		{"webwxsendmsg", api("webwxsendmsg"), FaultTooFrequent, 200, `"Ret":1205`},
		{"synccheck", api("synccheck"), FaultMalformed, 200, `window.synccheck={retcode:"0",sel`},
		{"synccheck", api("synccheck"), FaultTooFrequent, 200, `window.synccheck={retcode:"1205",selector:"0"}`},
		{"login", api("login"), FaultMalformed, 200, `window.code=2`},
		{"login", api("login"), FaultTooFrequent, 200, `window.code=1205;`},
		{"jslogin", "/jslogin", FaultMalformed, 200, `window.QRLogin.uu`},
		{"jslogin", "/jslogin", FaultTooFrequent, 200, `window.QRLogin.code = 1205;`},
		{"webwxnewloginpage", api("webwxnewloginpage"), FaultMalformed, 200, `<skey>@crypt_`},
		{"webwxnewloginpage", api("webwxnewloginpage"), FaultTooFrequent, 200, `<ret>1205</ret>`},
		{"webwxpushloginurl", api("webwxpushloginurl"), FaultMalformed, 200, `{"ret":"0","msg":"all`},
		{"webwxpushloginurl", api("webwxpushloginurl"), FaultTooFrequent, 200, `"ret":"1205"`},
		{"webwxgetmsgimg", api("webwxgetmsgimg"), FaultMalformed, 200, "garbage"},
		{"webwxgetmsgimg", api("webwxgetmsgimg"), FaultTooFrequent, 503, tooFrequentMsg},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" "+tt.fault.String(), func(t *testing.T) {
			s, c := newTest(t, Config{})
			s.FailNext(tt.endpoint, 1, tt.fault)
			resp, body := c.do(http.MethodGet, tt.path, nil, nil, nil)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Contains(t, string(body), tt.wantBody)
			if tt.fault == FaultMalformed && resp.Header.Get("Content-Type") == "application/json; charset=UTF-8" {
				assert.Error(t, json.Unmarshal(body, &wechat.SyncResponse{}))
			}
			assert.Len(t, s.Requests(tt.endpoint), 1, "faulted requests are recorded")
		})
	}
}

func TestFaultReset(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.FailNext("synccheck", 2, FaultReset)
	// Without keep-alive the transport does not retry on a fresh connection,
	// so each call meets one fault.
	c.hc.Transport = toServer(t, s, &http.Transport{DisableKeepAlives: true})
	for range 2 {
		_, err := c.hc.Get(c.url(api("synccheck"), c.syncCheckQuery(init.SyncKey.String())))
		assert.Error(t, err)
	}
	retcode, _ := c.syncCheck(init.SyncKey)
	assert.Equal(t, 0, retcode, "only n requests fail")
}

// TestFaultLoseAnswer: the call takes effect, its answer never arrives.
func TestFaultLoseAnswer(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	s.FailNext("webwxsendmsg", 1, FaultLoseAnswer)
	c.hc.Transport = toServer(t, s, &http.Transport{DisableKeepAlives: true})
	body := mustJSON(t, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: wechat.OutMessage{
		Type: wechat.MsgTypeText, Content: "lost", FromUserName: s.UserName(SelfID), ToUserName: s.UserName("alice"),
		LocalID: "17000000000000001", ClientMsgId: "17000000000000001",
	}})
	u := c.url(api("webwxsendmsg"), url.Values{"pass_ticket": {c.passTicket}})
	_, err := c.hc.Post(u, "application/json; charset=UTF-8", bytes.NewReader(body))
	assert.Error(t, err, "no answer")
	require.Len(t, s.Sent(), 1, "the message was delivered all the same")
	assert.Equal(t, "lost", s.Sent()[0].Msg.Content)
	f, ok := ParseFault("lose-answer")
	assert.True(t, ok)
	assert.Equal(t, FaultLoseAnswer, f)
}

// TestFaultSlowAnswer: the call takes effect at once, its answer comes
// SlowAnswerDelay later.
func TestFaultSlowAnswer(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	s.FailNext("webwxsendmsg", 1, FaultSlowAnswer)
	body := mustJSON(t, wechat.SendRequest{BaseRequest: c.baseReq(), Msg: wechat.OutMessage{
		Type: wechat.MsgTypeText, Content: "slow", FromUserName: s.UserName(SelfID), ToUserName: s.UserName("alice"),
		LocalID: "17000000000000002", ClientMsgId: "17000000000000002",
	}})
	u := c.url(api("webwxsendmsg"), url.Values{"pass_ticket": {c.passTicket}})
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		resp, err := c.hc.Post(u, "application/json; charset=UTF-8", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return len(s.Sent()) == 1 }, SlowAnswerDelay, 10*time.Millisecond, "delivered before the answer")
	require.NoError(t, <-done)
	assert.GreaterOrEqual(t, time.Since(start), SlowAnswerDelay, "the answer was held back")
	f, ok := ParseFault("slow-answer")
	assert.True(t, ok)
	assert.Equal(t, FaultSlowAnswer, f)
}

func TestFailAfter(t *testing.T) {
	s, c := newTest(t, Config{})
	s.FailAfter("jslogin", 2, 1, FaultHTTP500)
	for i, want := range []int{200, 200, 500, 200} {
		resp, _ := c.do(http.MethodGet, "/jslogin", nil, nil, nil)
		assert.Equal(t, want, resp.StatusCode, "request %d", i)
	}
}

func TestFaultHang(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.FailNext("webwxsync", 1, FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(api("webwxsync"), c.syncQuery()), nil)
	require.NoError(t, err)
	start := time.Now()
	_, err = c.hc.Do(req)
	assert.Error(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	assert.Equal(t, 0, c.sync(init.SyncKey).BaseResponse.Ret, "the next call works")

	// A hanging request ends when the server closes.
	s.FailNext("webwxinit", 1, FaultHang)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := c.withoutCookies().hc.Post(c.url(api("webwxinit"), nil), "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
	}()
	waitForRequests(t, s, "webwxinit", 2)
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the hanging request did not end on Close")
	}
}

func TestCloseWakesHeldPolls(t *testing.T) {
	s, c, init := loggedIn(t, Config{SyncCheckHold: time.Minute, LoginPollHold: time.Minute})
	uuid := c.jslogin(false)
	sync := c.asyncGet(api("synccheck"), c.syncCheckQuery(init.SyncKey.String()))
	login := c.asyncGet(api("login"), url.Values{"uuid": {uuid}, "tip": {"1"}})
	waitForRequests(t, s, "synccheck", 1)
	waitForRequests(t, s, "login", 2)
	s.Close()
	assert.Equal(t, syncCheckBody(0, 0), receive(t, sync))
	assert.Equal(t, "window.code=408;", receive(t, login))
}

func TestParseFault(t *testing.T) {
	for f := FaultHTTP500; f <= FaultTooFrequent; f++ {
		got, ok := ParseFault(f.String())
		assert.True(t, ok)
		assert.Equal(t, f, got)
	}
	_, ok := ParseFault("nope")
	assert.False(t, ok)
	assert.Equal(t, "fault(99)", Fault(99).String())
}

func TestFailNextQueues(t *testing.T) {
	s, c := newTest(t, Config{})
	s.FailNext("jslogin", 1, FaultHTTP500)
	s.FailNext("jslogin", 1, FaultTooFrequent)
	code, _ := c.get("/jslogin", nil)
	assert.Equal(t, 500, code)
	_, body := c.get("/jslogin", nil)
	assert.Contains(t, body, "1205")
	assert.NotEmpty(t, c.jslogin(false))
}
