package wechattest

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phoneGet fetches a phone page path (under /_sim/phone/).
func (c *tclient) phoneGet(path string, q url.Values) (*http.Response, []byte) {
	c.t.Helper()
	return c.do(http.MethodGet, "/_sim/phone/"+path, q, nil, nil)
}

func (c *tclient) phoneState() phoneStateView {
	c.t.Helper()
	resp, body := c.phoneGet("api/state", nil)
	require.Equal(c.t, http.StatusOK, resp.StatusCode, string(body))
	var v phoneStateView
	require.NoError(c.t, json.Unmarshal(body, &v))
	return v
}

func (c *tclient) phoneChat(id string) phoneChatView {
	c.t.Helper()
	resp, body := c.phoneGet("api/chat", url.Values{"id": {id}})
	require.Equal(c.t, http.StatusOK, resp.StatusCode, string(body))
	var v phoneChatView
	require.NoError(c.t, json.Unmarshal(body, &v))
	return v
}

func chatItem(t *testing.T, v phoneStateView, id string) phoneChatItem {
	t.Helper()
	for _, c := range v.Chats {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no chat %q in the chat list", id)
	return phoneChatItem{}
}

func TestPhoneAssets(t *testing.T) {
	_, c := newTest(t, Config{ControlAPI: true})
	tests := []struct {
		name     string
		path     string
		code     int
		ctype    string
		contains []string
	}{
		{"page", "", http.StatusOK, "text/html", []string{`<meta charset="utf-8">`, `name="viewport"`, `src="phone.js"`, `id="scan"`, `id="confirm"`}},
		{"index by name", "index.html", http.StatusMovedPermanently, "", nil},
		{"style", "phone.css", http.StatusOK, "text/css", []string{"max-width: 420px", ":focus-visible"}},
		{"script", "phone.js", http.StatusOK, "javascript", []string{"EventSource", "textContent"}},
		{"unknown file", "nope.js", http.StatusNotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, body := c.phoneGet(tt.path, nil)
			require.Equal(t, tt.code, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), tt.ctype)
			for _, want := range tt.contains {
				assert.Contains(t, string(body), want)
			}
		})
	}
}

// TestPhoneAssetsSelfContained: the page fetches nothing from elsewhere
// (no absolute or protocol-relative URL in any file) and never turns data
// into HTML.
func TestPhoneAssetsSelfContained(t *testing.T) {
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|(src|href)\s*=\s*["']?//|url\(\s*["']?(https?:)?//`)
	files := 0
	err := fs.WalkDir(phoneAssets, "phone", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := phoneAssets.ReadFile(path)
		require.NoError(t, err)
		assert.Empty(t, external.FindAllString(string(data), -1), "%s names an external URL", path)
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
			assert.NotContains(t, string(data), sink, "%s must show data with textContent", path)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, files, "index.html, phone.css and phone.js")
	assert.NotEmpty(t, external.FindAllString(`<img src="//cdn.example.com/x.png">`, -1), "the check finds what it looks for")
}

func TestPhoneLoopbackOnly(t *testing.T) {
	s := New(Config{ControlAPI: true})
	for _, path := range []string{"/_sim/phone/", "/_sim/phone/api/state", "/_sim/phone/api/live"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.10:40000"
		rec := httptest.NewRecorder()
		s.ControlHandler().ServeHTTP(rec, req)
		assert.Equal(t, http.StatusForbidden, rec.Code, path)
		assert.Contains(t, rec.Body.String(), "loopback")
	}
}

func TestPhoneLogin(t *testing.T) {
	s, c := newTest(t, Config{ControlAPI: true})
	v := c.phoneState()
	assert.Equal(t, "none", v.Login.Session)
	assert.Nil(t, v.Login.Pending)

	uuid := c.jslogin(false)
	v = c.phoneState()
	require.NotNil(t, v.Login.Pending, "the page shows the login the client asked for")
	assert.Equal(t, phonePending{UUID: uuid, QR: "https://login.weixin.qq.com/l/" + uuid}, *v.Login.Pending)

	code, body := c.control(http.MethodPost, "scan", url.Values{"uuid": {uuid}}, nil)
	require.Equal(t, http.StatusOK, code, string(body))
	assert.True(t, c.phoneState().Login.Pending.Scanned)

	c.login(false)
	v = c.phoneState()
	assert.Equal(t, "alive", v.Login.Session)
	require.NotEmpty(t, v.Notes)
	assert.Equal(t, "login", v.Notes[len(v.Notes)-1].Kind)

	s.EndSession(1102)
	v = c.phoneState()
	assert.Equal(t, "ended", v.Login.Session)
	assert.Equal(t, 1102, v.Login.Ret)
	assert.Contains(t, v.Notes[len(v.Notes)-1].Text, "(1102)")
}

func TestPhoneChats(t *testing.T) {
	s, c, _ := loggedIn(t, Config{ControlAPI: true})
	s.InjectText("family", "bob", "你好 <b>all</b> <span class=\"emoji emoji1f604\"></span>")
	s.InjectText("family", "erin", "second")
	s.InjectText("alice", SelfID, "from my phone")

	v := c.phoneState()
	assert.Equal(t, []string{"alice", "family"}, []string{v.Chats[0].ID, v.Chats[1].ID}, "the newest chat comes first")
	family := chatItem(t, v, "family")
	assert.Equal(t, "group", family.Kind)
	assert.Equal(t, 2, family.Unread)
	assert.Equal(t, "Erin: second", family.Last)
	assert.Contains(t, family.Members, phonePerson{ID: "bob", Name: "Bobby"}, "members by their group nickname")
	assert.Equal(t, 0, chatItem(t, v, "alice").Unread, "what the user wrote is read")
	assert.Equal(t, "official", chatItem(t, v, "news").Kind)
	assert.Equal(t, "special", chatItem(t, v, "filehelper").Kind)
	assert.Equal(t, "Bob😄", chatItem(t, v, "bob").Name, "emoji spans become emoji")

	msgs := c.phoneChat("family").Messages
	require.Len(t, msgs, 2)
	assert.Equal(t, phoneMessage{ID: msgs[0].ID, From: "bob", FromName: "Bobby", Kind: "text",
		Text: "你好 <b>all</b> 😄", Time: msgs[0].Time}, msgs[0], "text as written, markup and all")

	// The client reads the chat.
	var out map[string]any
	c.postJSON("webwxstatusnotify", url.Values{"pass_ticket": {c.passTicket}}, map[string]any{
		"BaseRequest": c.baseReq(), "Code": statusNotifyRead,
		"FromUserName": s.UserName(SelfID), "ToUserName": s.UserName("family"), "ClientMsgId": time.Now().UnixMilli(),
	}, &out)
	assert.Equal(t, 0, chatItem(t, c.phoneState(), "family").Unread, "a read mark clears the unread count")
	msgs = c.phoneChat("family").Messages
	assert.True(t, msgs[0].Read && msgs[1].Read)

	resp, _ := c.phoneGet("api/chat", url.Values{"id": {"nobody"}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestPhoneChatKinds(t *testing.T) {
	s, c, _ := loggedIn(t, Config{ControlAPI: true})
	imgID := s.InjectImage("alice", "", plainJPEG([]byte("picture"), 16, 16))
	fileID := s.InjectFile("alice", SelfID, "报告.pdf", []byte("%PDF-1.4 ..."))
	recalled := s.InjectText("alice", "", "oops")
	s.InjectRecall("alice", "", recalled)
	htmlID := s.InjectImage("alice", "", []byte("<html><script>alert(1)</script></html>"))

	msgs := c.phoneChat("alice").Messages
	kinds := map[string]phoneMessage{}
	for _, m := range msgs {
		kinds[m.ID] = m
	}
	require.Len(t, msgs, 4, "the recall notice takes the recalled message's place")
	assert.Equal(t, "image", kinds[itoa(imgID)].Kind)
	assert.True(t, kinds[itoa(imgID)].Media)
	file := kinds[itoa(fileID)]
	assert.Equal(t, []any{"file", "报告.pdf", true, true}, []any{file.Kind, file.FileName, file.Mine, file.Media})
	assert.Equal(t, "recalled", kinds[itoa(recalled)].Kind)
	assert.Contains(t, kinds[itoa(recalled)].Text, "撤回了一条消息")

	tests := []struct {
		name        string
		id          int64
		ctype       string
		disposition string
	}{
		{"image inline", imgID, "image/jpeg", ""},
		{"file as a download", fileID, "application/octet-stream", "attachment"},
		{"html never inline", htmlID, "application/octet-stream", "attachment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.phoneGet("api/media", url.Values{"msgid": {itoa(tt.id)}})
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.ctype, resp.Header.Get("Content-Type"))
			assert.Contains(t, resp.Header.Get("Content-Disposition"), tt.disposition)
			assert.NotEmpty(t, body)
		})
	}
}

// TestPhoneGroupControls: renaming a group and adding a member on the
// phone reach the client as the real server sends them: the group's
// ModContactList and the system message.
func TestPhoneGroupControls(t *testing.T) {
	s, c, init := loggedIn(t, Config{ControlAPI: true})
	code, body := c.control(http.MethodPost, "rename-group", url.Values{"group": {"family"}, "name": {"一家人 🏠"}}, nil)
	require.Equal(t, http.StatusOK, code, string(body))
	code, body = c.control(http.MethodPost, "add-member", url.Values{"group": {"family"}, "member": {"carol"}}, nil)
	require.Equal(t, http.StatusOK, code, string(body))

	sync := c.sync(init.SyncKey)
	var names, members []string
	for _, mc := range sync.ModContactList {
		if mc.UserName == s.UserName("family") {
			names = append(names, mc.NickName)
			members = append(members, itoa(int64(len(mc.MemberList))))
		}
	}
	assert.Equal(t, []string{"一家人 🏠", "一家人 🏠"}, names, "a ModContactList entry per change")
	assert.Equal(t, []string{"4", "5"}, members)
	var notices []string
	for _, m := range sync.AddMsgList {
		if m.MsgType == msgSys {
			notices = append(notices, m.Content)
		}
	}
	assert.Equal(t, []string{"你修改群名为“一家人 🏠”", `你邀请"Carol"加入了群聊`}, notices)
	assert.Equal(t, "一家人 🏠", chatItem(t, c.phoneState(), "family").Name)

	for _, q := range []url.Values{
		{"group": {"alice"}, "name": {"x"}},
		{"group": {"family"}, "name": {""}},
	} {
		code, _ = c.control(http.MethodPost, "rename-group", q, nil)
		assert.Equal(t, http.StatusBadRequest, code, q.Encode())
	}
	code, _ = c.control(http.MethodPost, "add-member", url.Values{"group": {"family"}, "member": {"frank"}}, nil)
	assert.Equal(t, http.StatusBadRequest, code, "frank is not a friend")
}

func TestPhoneNotesAndFaults(t *testing.T) {
	s, c, _ := loggedIn(t, Config{ControlAPI: true})
	s.RotateSKey()
	s.FailNext("webwxsync", 2, FaultHTTP500)
	s.InjectFriendRequest("Grace", "你好")
	v := c.phoneState()
	var kinds []string
	for _, n := range v.Notes {
		kinds = append(kinds, n.Kind)
	}
	assert.Equal(t, []string{"login", "skey", "fault", "friend-request"}, kinds)
	assert.Equal(t, []phoneFault{{Endpoint: "webwxsync", Fault: "http-500", Count: 2}}, v.Faults)
	assert.Equal(t, "Friend requests", chatItem(t, v, "fmessage").Name)
	fm := c.phoneChat("fmessage").Messages
	require.NotEmpty(t, fm)
	assert.Equal(t, "Friend request from Grace: 你好", fm[len(fm)-1].Text)
}

// TestPhoneLive: the event stream says "change" at once and again after
// every change.
func TestPhoneLive(t *testing.T) {
	s, c := newTest(t, Config{ControlAPI: true})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/_sim/phone/api/live", nil), nil)
	require.NoError(t, err)
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/event-stream")
	lines := bufio.NewScanner(resp.Body)
	nextChange := func() string {
		t.Helper()
		for lines.Scan() {
			if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				return data
			}
		}
		t.Fatalf("the stream ended: %v", lines.Err())
		return ""
	}
	first := nextChange()
	s.InjectText("alice", "", "hello")
	second := nextChange()
	assert.NotEqual(t, first, second)
	c.jslogin(false)
	assert.NotEqual(t, second, nextChange(), "a login waiting is a change too")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
