package wechattest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (c *tclient) control(method, path string, q url.Values, body []byte) (int, []byte) {
	c.t.Helper()
	resp, data := c.do(method, "/_sim/"+path, q, body, nil)
	return resp.StatusCode, data
}

func TestControlAPI(t *testing.T) {
	s, c := newTest(t, Config{ControlAPI: true})
	uuid := c.jslogin(false)

	code, body := c.control(http.MethodGet, "state", nil, nil)
	require.Equal(t, http.StatusOK, code)
	var st simState
	require.NoError(t, json.Unmarshal(body, &st))
	assert.Equal(t, uuid, st.PendingLogin)
	assert.Equal(t, "https://login.weixin.qq.com/l/"+uuid, st.QRPayload)
	assert.Nil(t, st.Session)

	code, body = c.control(http.MethodPost, "scan", nil, nil)
	require.Equal(t, http.StatusOK, code, string(body))
	assert.Contains(t, string(body), uuid)
	pollCode, _ := c.poll(uuid, "1")
	assert.Equal(t, 201, pollCode)
	code, _ = c.control(http.MethodPost, "scan", url.Values{"uuid": {uuid}}, nil)
	assert.Equal(t, http.StatusConflict, code)
	code, _ = c.control(http.MethodPost, "confirm", url.Values{"uuid": {uuid}}, nil)
	require.Equal(t, http.StatusOK, code)
	pollCode, pollBody := c.poll(uuid, "")
	require.Equal(t, 200, pollCode)
	_, lp := c.newLoginPage(redirectRe.FindStringSubmatch(pollBody)[1], false, false)
	require.Equal(t, 0, lp.Ret)
	c.uin, c.sid, c.skey, c.passTicket = lp.WxUin, lp.WxSid, lp.SKey, unescapePassTicket(c.t, lp.PassTicket)
	init := c.init()

	posts := []struct {
		path string
		q    url.Values
		body []byte
		want int
	}{
		{"inject-text", url.Values{"chat": {"alice"}, "text": {"hello"}}, nil, 200},
		{"inject-image", url.Values{"chat": {"family"}, "from": {"erin"}}, plainJPEG([]byte("x"), 10, 10), 200},
		{"inject-file", url.Values{"chat": {"bob"}, "name": {"a.txt"}}, []byte("file"), 200},
		{"friend-request", url.Values{"nick": {"Jo"}, "greeting": {"hi"}}, nil, 200},
		{"recall", url.Values{"chat": {"alice"}, "msgid": {"12"}}, nil, 200},
		{"recall", url.Values{"chat": {"alice"}, "msgid": {"x"}}, nil, 400},
		{"profile", url.Values{"nick": {"Sim"}}, nil, 200},
		{"fail-next", url.Values{"endpoint": {"webwxsync"}, "n": {"1"}, "fault": {"http-500"}}, nil, 200},
		{"fail-next", url.Values{"endpoint": {"webwxsync"}, "n": {"1"}, "fault": {"explode"}}, nil, 400},
		{"refuse-next-login", url.Values{"message": {"nope"}}, nil, 200},
		{"rotate-skey", nil, nil, 200},
		{"cancel", nil, nil, 409},
		{"expire", url.Values{"uuid": {"unknown"}}, nil, 409},
	}
	for _, p := range posts {
		code, body := c.control(http.MethodPost, p.path, p.q, p.body)
		assert.Equal(t, p.want, code, "%s %s: %s", p.path, p.q.Encode(), body)
	}
	resp, _ := c.do(http.MethodPost, api("webwxsync"), c.syncQuery(), nil, nil)
	assert.Equal(t, 500, resp.StatusCode, "fail-next took effect")
	r := c.sync(init.SyncKey)
	assert.Equal(t, 5, r.AddMsgCount)
	assert.Equal(t, "Sim", r.Profile.NickName.Buff)

	for _, path := range []string{"sent", "uploads", "violations", "requests?endpoint=webwxsync"} {
		resp, body := c.do(http.MethodGet, "/_sim/"+path, nil, nil, nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.True(t, json.Valid(body), path)
	}

	code, body = c.control(http.MethodGet, "state", nil, nil)
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, json.Unmarshal(body, &st))
	require.NotNil(t, st.Session)
	assert.True(t, st.Session.Alive)
	assert.Equal(t, 1, st.LoginCount)
	assert.NotEmpty(t, st.Contacts)

	code, _ = c.control(http.MethodPost, "end-session", url.Values{"ret": {"1102"}}, nil)
	assert.Equal(t, http.StatusOK, code)
	retcode, _ := c.syncCheck(init.SyncKey)
	assert.Equal(t, 1102, retcode)
	assert.Same(t, s.ControlHandler(), s.control)
}

func TestControlBodyLimit(t *testing.T) {
	_, c := newTest(t, Config{ControlAPI: true})
	code, _ := c.control(http.MethodPost, "inject-image", nil, bytes.Repeat([]byte{1}, maxControlBody+1))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
}
