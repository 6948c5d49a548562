package wechattest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
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

// TestControlInjectKinds: each injection route of the control API puts one
// message of its kind into the next webwxsync, with its media served by the
// download endpoint a client uses; bad input is refused with 400 and
// injects nothing.
func TestControlInjectKinds(t *testing.T) {
	mp3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, 64)...)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{7}, 300)...)
	sticker := plainJPEG([]byte("sticker"), 64, 64)
	tests := []struct {
		name     string
		path     string
		q        url.Values
		body     []byte
		wantCode int
		check    func(t *testing.T, c *tclient, m wechat.RawMessage)
	}{
		{"voice", "inject-voice", url.Values{"chat": {"alice"}, "ms": {"3000"}}, mp3, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeVoice, m.MsgType)
			assert.Equal(t, 3000, m.VoiceLength)
			assert.Equal(t, mp3, c.download("webwxgetvoice", url.Values{"msgid": {m.MsgId}, "skey": {c.skey}}, nil))
		}},
		{"voice in a group", "inject-voice", url.Values{"chat": {"family"}, "from": {"erin"}, "ms": {"1500"}}, mp3, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeVoice, m.MsgType)
			assert.True(t, strings.HasPrefix(m.Content, c.srv.UserName("erin")+":<br/>"), m.Content)
		}},
		{"voice without ms", "inject-voice", url.Values{"chat": {"alice"}}, mp3, 400, nil},
		{"voice without a body", "inject-voice", url.Values{"chat": {"alice"}, "ms": {"3000"}}, nil, 400, nil},
		{"video", "inject-video", url.Values{"chat": {"bob"}, "seconds": {"12"}}, mp4, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeVideo, m.MsgType)
			assert.Equal(t, 12, m.PlayLength)
			assert.Equal(t, mp4, c.download("webwxgetvideo", url.Values{"msgid": {m.MsgId}, "skey": {c.skey}}, http.Header{"Range": {"bytes=0-"}}))
			poster := c.download("webwxgetmsgimg", url.Values{"MsgID": {m.MsgId}, "skey": {c.skey}, "type": {"slave"}}, nil)
			assert.Equal(t, "image/jpeg", http.DetectContentType(poster))
		}},
		{"video with seconds not a number", "inject-video", url.Values{"chat": {"bob"}, "seconds": {"long"}}, mp4, 400, nil},
		{"emoticon", "inject-emoticon", url.Values{"chat": {"carol"}}, sticker, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeEmoticon, m.MsgType)
			assert.Contains(t, m.Content, `md5="`+md5Hex(sticker)+`"`)
			assert.Equal(t, sticker, c.download("webwxgetmsgimg", url.Values{"MsgID": {m.MsgId}, "skey": {c.skey}, "type": {"big"}}, nil))
		}},
		{"emoticon without a body", "inject-emoticon", url.Values{"chat": {"carol"}}, nil, 400, nil},
		{"location", "inject-location", url.Values{"chat": {"alice"}, "label": {"Tiananmen Square"}, "lat": {"39.908722"}, "lng": {"116.397499"}}, nil, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeText, m.MsgType)
			assert.Equal(t, wechat.SubMsgTypeLocation, m.SubMsgType)
			assert.True(t, strings.HasPrefix(m.Content, "Tiananmen Square:<br/>"), m.Content)
			assert.Contains(t, m.Url, "apis.map.qq.com")
			assert.Contains(t, m.OriContent, `x="39.908722" y="116.397499"`)
		}},
		{"location without coordinates", "inject-location", url.Values{"chat": {"alice"}, "label": {"Somewhere"}}, nil, 400, nil},
		{"location off the globe", "inject-location", url.Values{"chat": {"alice"}, "label": {"Nowhere"}, "lat": {"91"}, "lng": {"0"}}, nil, 400, nil},
		{"location without a label", "inject-location", url.Values{"chat": {"alice"}, "lat": {"1"}, "lng": {"2"}}, nil, 400, nil},
		{"link", "inject-link", url.Values{"chat": {"dave"}, "title": {"Rust & Go"}, "desc": {"a comparison"}, "url": {"https://example.com/a?b=1&c=2"}}, nil, 200, func(t *testing.T, c *tclient, m wechat.RawMessage) {
			assert.Equal(t, wechat.MsgTypeApp, m.MsgType)
			assert.Equal(t, wechat.AppMsgTypeURL, m.AppMsgType)
			assert.Equal(t, "Rust & Go", m.FileName)
			assert.Equal(t, "https://example.com/a?b=1&c=2", m.Url)
			assert.Contains(t, m.Content, "&lt;des&gt;a comparison&lt;/des&gt;")
		}},
		{"link without a url", "inject-link", url.Values{"chat": {"dave"}, "title": {"t"}}, nil, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, init := loggedIn(t, Config{ControlAPI: true})
			code, body := c.control(http.MethodPost, tt.path, tt.q, tt.body)
			require.Equal(t, tt.wantCode, code, string(body))
			r := c.sync(init.SyncKey)
			if tt.wantCode != http.StatusOK {
				assert.NotEmpty(t, strings.TrimSpace(string(body)), "a 400 says what is expected")
				assert.Zero(t, r.AddMsgCount, "nothing injected")
				return
			}
			var answer map[string]string
			require.NoError(t, json.Unmarshal(body, &answer))
			require.Len(t, r.AddMsgList, 1)
			m := r.AddMsgList[0]
			assert.Equal(t, answer["msg_id"], m.MsgId)
			from := s.UserName(tt.q.Get("chat"))
			assert.Equal(t, from, m.FromUserName)
			tt.check(t, c, m)
		})
	}
}

// download GETs a media endpoint and returns the body, which must be
// non-empty (the real server fails downloads with an empty 200).
func (c *tclient) download(endpoint string, q url.Values, h http.Header) []byte {
	c.t.Helper()
	resp, data := c.do(http.MethodGet, api(endpoint), q, nil, h)
	require.Less(c.t, resp.StatusCode, 300, endpoint)
	require.NotEmpty(c.t, data, endpoint)
	return data
}

// TestControlRefusesOtherSites: a POST a browser sends from another site's
// page is refused before it acts; the phone page's own (same origin) and
// scripts' (no Origin) go through.
func TestControlRefusesOtherSites(t *testing.T) {
	s, _ := newTest(t, Config{ControlAPI: true})
	tests := []struct {
		name, origin string
		wantRefused  bool
	}{
		{"curl sends no origin", "", false},
		{"the phone page", "http://127.0.0.1:29351", false},
		{"another site", "https://evil.example", true},
		{"another port on loopback", "http://127.0.0.1:8080", true},
		{"a broken origin", "%zz", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:29351/_sim/profile?nick=Changed", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			s.ControlHandler().ServeHTTP(rec, req)
			if tt.wantRefused {
				assert.Equal(t, http.StatusForbidden, rec.Code)
				assert.Contains(t, rec.Body.String(), "only from the simulator's own pages")
			} else {
				assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				assert.JSONEq(t, `{"ok":true}`, rec.Body.String(), "the profile changed")
			}
		})
	}
}
