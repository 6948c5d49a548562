package wechattest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestSyncResendsWithOldKeyAndIdleCountZero(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	id := s.InjectText("alice", "", "hello")

	first := c.sync(init.SyncKey)
	require.Equal(t, 0, first.BaseResponse.Ret)
	require.Equal(t, 1, first.AddMsgCount)
	assert.Equal(t, int64(id), int64(first.AddMsgList[0].NewMsgId))
	assert.Greater(t, first.SyncKey.Count, 0)
	assert.NotEqual(t, first.SyncKey.String(), first.SyncCheckKey.String())

	again := c.sync(init.SyncKey)
	require.Equal(t, 1, again.AddMsgCount, "the same old key gets the same events")
	assert.Equal(t, first.AddMsgList[0].MsgId, again.AddMsgList[0].MsgId)

	// Nothing new: the SyncKey comes back empty, literally Count 0 and [].
	resp, body := c.do(http.MethodPost, api("webwxsync"), c.syncQuery(),
		mustJSON(t, wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: first.SyncKey, RR: -1}), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"SyncKey":{"Count":0,"List":[]}`)
	assert.Contains(t, string(body), `"AddMsgList":[]`)
	var idle wechat.SyncResponse
	require.NoError(t, json.Unmarshal(body, &idle))
	assert.Equal(t, 0, idle.AddMsgCount)
	assert.Greater(t, idle.SyncCheckKey.Count, 0)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestSyncContinueFlag(t *testing.T) {
	s, c, init := loggedIn(t, Config{SyncBatchSize: 2})
	for i := range 5 {
		s.InjectText("bob", "", "m"+strconv.Itoa(i))
	}
	s.UpdateContact("bob", func(c *SeedContact) { c.RemarkName = "B" })
	key := init.SyncKey
	var counts, flags []int
	for range 3 {
		r := c.sync(key)
		counts = append(counts, r.AddMsgCount)
		flags = append(flags, r.ContinueFlag)
		key = r.SyncKey
	}
	assert.Equal(t, []int{2, 2, 1}, counts)
	assert.Equal(t, []int{1, 1, 0}, flags)
	assert.Equal(t, 1, c.sync(c.lastKey(init.SyncKey, 2)).ModContactCount, "the contact change after the last message")
}

// lastKey syncs n times from key and returns the key reached.
func (c *tclient) lastKey(key wechat.SyncKey, n int) wechat.SyncKey {
	c.t.Helper()
	for range n {
		key = c.sync(key).SyncKey
	}
	return key
}

func TestSyncRejectsUnknownKeys(t *testing.T) {
	tests := []struct {
		name    string
		key     func(init wechat.InitResponse, r wechat.SyncResponse) wechat.SyncKey
		wantWhy string
	}{
		{"empty", func(wechat.InitResponse, wechat.SyncResponse) wechat.SyncKey {
			return wechat.SyncKey{List: []wechat.SyncKeyItem{}}
		}, "empty SyncKey"},
		{"SyncCheckKey", func(_ wechat.InitResponse, r wechat.SyncResponse) wechat.SyncKey { return r.SyncCheckKey }, "SyncCheckKey sent as SyncKey"},
		{"forged", func(i wechat.InitResponse, _ wechat.SyncResponse) wechat.SyncKey {
			k := wechat.SyncKey{Count: i.SyncKey.Count, List: append([]wechat.SyncKeyItem(nil), i.SyncKey.List...)}
			k.List[1].Val++
			return k
		}, "never issued"},
		{"Count that is not the list's length", func(i wechat.InitResponse, _ wechat.SyncResponse) wechat.SyncKey {
			return wechat.SyncKey{Count: i.SyncKey.Count + 1, List: i.SyncKey.List}
		}, "SyncKey.Count does not match len(SyncKey.List)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, init := loggedIn(t, Config{})
			r := c.sync(init.SyncKey)
			out := c.sync(tt.key(init, r))
			assert.Equal(t, -1, out.BaseResponse.Ret)
			assert.True(t, hasViolation(s, tt.wantWhy), s.Violations())
		})
	}
}

func TestSyncCheckKeysAndSpin(t *testing.T) {
	hold := 150 * time.Millisecond
	s, c, init := loggedIn(t, Config{SyncCheckHold: hold})

	// Before any webwxsync the SyncKey is the right key: it holds.
	start := time.Now()
	retcode, sel := c.syncCheck(init.SyncKey)
	assert.Equal(t, 0, retcode)
	assert.Equal(t, 0, sel)
	assert.GreaterOrEqual(t, time.Since(start), hold)

	r := c.sync(init.SyncKey)
	start = time.Now()
	_, sel = c.syncCheck(r.SyncCheckKey)
	assert.Equal(t, 0, sel)
	assert.GreaterOrEqual(t, time.Since(start), hold)

	// The SyncKey after a SyncCheckKey was issued: selector 2 at once.
	start = time.Now()
	_, sel = c.syncCheck(init.SyncKey)
	assert.Equal(t, 2, sel)
	assert.Less(t, time.Since(start), hold)
	assert.True(t, hasViolation(s, "SyncKey sent after a SyncCheckKey"))

	// A key never issued: selector 0 at once.
	_, sel = c.syncCheckWith(c.syncCheckQuery("1_1|2_2"))
	assert.Equal(t, 0, sel)
	_, sel = c.syncCheckWith(c.syncCheckQuery("garbage"))
	assert.Equal(t, 0, sel)

	// A stale SyncCheckKey with events after it.
	s.InjectText("alice", "", "x")
	r2 := c.sync(init.SyncKey)
	_, sel = c.syncCheck(r.SyncCheckKey)
	assert.Equal(t, 2, sel)
	_, sel = c.syncCheck(r2.SyncCheckKey)
	assert.Equal(t, 0, sel)

	assert.Equal(t, SyncCheckStats{WithSyncCheckKey: 2, WithSyncKey: 2, Other: 2, Stale: 1}, s.SyncCheckStats())
}

func TestSyncCheckWakesOnInject(t *testing.T) {
	s, c, init := loggedIn(t, Config{SyncCheckHold: 5 * time.Second})
	r := c.sync(init.SyncKey)
	start := time.Now()
	held := c.asyncGet(api("synccheck"), c.syncCheckQuery(r.SyncCheckKey.String()))
	waitForRequests(t, s, "synccheck", 1)
	time.Sleep(20 * time.Millisecond)
	s.InjectText("alice", "", "wake up")
	assert.Equal(t, syncCheckBody(0, 2), receive(t, held))
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestSyncCheckSelectors(t *testing.T) {
	tests := []struct {
		name   string
		inject func(s *Server)
		want   int
	}{
		{"message", func(s *Server) { s.InjectText("alice", "", "hi") }, 2},
		{"contact change", func(s *Server) { s.UpdateContact("alice", func(c *SeedContact) { c.RemarkName = "A" }) }, 4},
		{"deleted contact", func(s *Server) { s.DeleteContact("dave") }, 4},
		{"profile", func(s *Server) { s.ChangeProfile("New Me") }, 4},
		{"status notify", func(s *Server) { s.InjectStatusNotify(wechat.StatusNotifyEnterSession, "alice") }, 7},
		{"status notify and contact", func(s *Server) {
			s.InjectStatusNotify(wechat.StatusNotifyEnterSession, "alice")
			s.SetMembers("family", []string{SelfID, "alice"})
		}, 4},
		{"everything", func(s *Server) {
			s.InjectStatusNotify(wechat.StatusNotifyEnterSession, "alice")
			s.AddContact(SeedContact{ID: "gina", NickName: "Gina", Friend: true})
			s.InjectText("gina", "", "hi")
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, init := loggedIn(t, Config{})
			r := c.sync(init.SyncKey)
			tt.inject(s)
			_, sel := c.syncCheck(r.SyncCheckKey)
			assert.Equal(t, tt.want, sel)
		})
	}
}

func TestRotateSKey(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	old := c.skey
	s.RotateSKey()
	r := c.sync(init.SyncKey)
	require.Equal(t, 0, r.BaseResponse.Ret)
	require.NotEqual(t, old, r.SKey)

	again := c.sync(init.SyncKey)
	assert.Equal(t, 1101, again.BaseResponse.Ret, "the old skey no longer works")
	c.skey = r.SKey
	assert.Equal(t, 0, c.sync(init.SyncKey).BaseResponse.Ret)
}

func TestContactEvents(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.UpdateContact("alice", func(c *SeedContact) { c.RemarkName = "Alice Home"; c.Avatar = []byte("new") })
	s.DeleteContact("bob")
	s.ChangeProfile("Renamed")
	s.SetMembers("family", []string{SelfID, "alice", "erin", "zed"})
	s.AddContact(SeedContact{NickName: "Generated", Friend: true})
	s.UpdateContact("nobody", func(*SeedContact) {})
	s.SetMembers("alice", nil)

	r := c.sync(init.SyncKey)
	require.Equal(t, 3, r.ModContactCount)
	assert.Equal(t, "Alice Home", r.ModContactList[0].RemarkName)
	assert.Equal(t, s.UserName("alice"), r.ModContactList[0].UserName)
	assert.Equal(t, 4, r.ModContactList[1].MemberCount)
	assert.Equal(t, "Generated", r.ModContactList[2].NickName)
	require.Equal(t, 1, r.DelContactCount)
	assert.Equal(t, s.UserName("bob"), r.DelContactList[0].UserName)
	assert.Equal(t, wechat.ProfileBitFlagChange, r.Profile.BitFlag)
	assert.Equal(t, "Renamed", r.Profile.NickName.Buff)
	assert.Equal(t, s.UserName(SelfID), r.Profile.UserName.Buff)
}

func TestMessageRendering(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	self, alice, family, erin := s.UserName(SelfID), s.UserName("alice"), s.UserName("family"), s.UserName("erin")
	type want struct {
		from, to, content string
		contains          []string
	}
	tests := []struct {
		name   string
		inject func() int64
		want   want
	}{
		{"DM text escaped", func() int64 {
			return s.InjectText("alice", "", "a <b> & c\nd <span class=\"emoji emoji1f604\"></span>")
		}, want{from: alice, to: self, content: `a &lt;b&gt; &amp; c<br/>d <span class="emoji emoji1f604"></span>`}},
		{"group member", func() int64 { return s.InjectText("family", "erin", "hi") },
			want{from: family, to: self, content: erin + ":<br/>hi"}},
		{"sent from the phone to a group", func() int64 { return s.InjectText("family", SelfID, "mine") },
			want{from: self, to: family, content: "mine"}},
		{"group system message", func() int64 { return s.InjectSystem("family", `"Erin"修改群名为“New”`) },
			want{from: family, to: self, content: `"Erin"修改群名为“New”`}},
		{"raw content", func() int64 { return s.Inject(Message{Chat: "family", From: "erin", RawContent: "<b>&raw"}) },
			want{from: family, to: self, content: "<b>&raw"}},
		{"xml payload escaped", func() int64 {
			return s.Inject(Message{Chat: "alice", Type: wechat.MsgTypeApp, AppMsgType: 5, XML: "<msg>\n<appmsg/></msg>"})
		}, want{from: alice, to: self, content: "&lt;msg&gt;<br/>&lt;appmsg/&gt;&lt;/msg&gt;"}},
		{"link", func() int64 { return s.InjectLink("alice", "", "Title & co", "desc", "https://example.com/?a=1&b=2") },
			want{from: alice, to: self, contains: []string{"&lt;type&gt;5&lt;/type&gt;", "Title &amp;amp; co", "a=1&amp;amp;b=2"}}},
		{"location", func() int64 { return s.InjectLocation("alice", "", "Tower", 39.9, 116.4) },
			want{from: alice, to: self, contains: []string{"Tower:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid="}}},
		{"image", func() int64 { return s.InjectImage("family", "erin", plainJPEG([]byte("x"), 200, 100)) },
			want{from: family, to: self, contains: []string{erin + ":<br/>&lt;?xml", "&lt;img "}}},
		{"voice", func() int64 { return s.InjectVoice("alice", "", []byte("ID3mp3"), 3000) },
			want{from: alice, to: self, contains: []string{`voicelength="3000"`}}},
		{"video", func() int64 { return s.InjectVideo("alice", "", []byte("mp4"), nil, 7) },
			want{from: alice, to: self, contains: []string{"@"}}},
		{"emoticon", func() int64 { return s.InjectEmoticon("alice", "", []byte("GIF89a....")) },
			want{from: alice, to: self, contains: []string{"&lt;emoji ", `md5="`}}},
		{"card", func() int64 {
			return s.Inject(Message{Chat: "alice", Type: wechat.MsgTypeShareCard, RecommendInfo: &RecommendInfo{UserName: "carol"}})
		}, want{from: alice, to: self, contains: []string{`nickname="Carol"`, `alias="carol_wx"`}}},
		{"recall", func() int64 { return s.InjectRecall("family", "erin", 42) },
			want{from: family, to: self, contains: []string{erin + ":<br/>&lt;sysmsg", "&lt;msgid&gt;42&lt;/msgid&gt;", `"Erin" 撤回了一条消息`}}},
		{"recall on the phone", func() int64 { return s.InjectRecall("alice", SelfID, 43) },
			want{from: self, to: alice, contains: []string{"你撤回了一条消息"}}},
		{"status notify", func() int64 { return s.InjectStatusNotify(wechat.StatusNotifyEnterSession, "alice") },
			want{from: self, to: alice, content: ""}},
	}
	key := init.SyncKey
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.inject()
			r := c.sync(key)
			key = r.SyncKey
			require.Equal(t, 1, r.AddMsgCount)
			m := r.AddMsgList[0]
			assert.Equal(t, tt.want.from, m.FromUserName)
			assert.Equal(t, tt.want.to, m.ToUserName)
			if tt.want.contains == nil {
				assert.Equal(t, tt.want.content, m.Content)
			}
			for _, sub := range tt.want.contains {
				assert.Contains(t, m.Content, sub)
			}
			assert.Equal(t, strconv.FormatInt(id, 10), m.MsgId)
			assert.Equal(t, id, int64(m.NewMsgId))
			assert.Greater(t, id, int64(1)<<53)
			assert.NotZero(t, m.CreateTime)
		})
	}
}

func TestMessageFieldsOnTheWire(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	id := s.InjectFile("alice", "", "report & co.pdf", []byte("%PDF-1.4 file"))
	s.InjectStatusNotify(wechat.StatusNotifySyncConv, "", "alice", "family")
	_, friendMsg := s.InjectFriendRequest("Hank", "hi, I'm Hank")
	resp, body := c.do(http.MethodPost, api("webwxsync"), c.syncQuery(),
		mustJSON(t, wechat.SyncRequest{BaseRequest: c.baseReq(), SyncKey: init.SyncKey}), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"NewMsgId":`+strconv.FormatInt(id, 10)+`,`, "NewMsgId is a JSON number")
	assert.False(t, bytes.Contains(body, []byte(`\u003c`)), "no HTML escaping in JSON")
	var r wechat.SyncResponse
	require.NoError(t, json.Unmarshal(body, &r))
	require.Equal(t, 3, r.AddMsgCount)

	file := r.AddMsgList[0]
	assert.Equal(t, "13", file.FileSize)
	assert.True(t, strings.HasPrefix(file.MediaId, "@crypt_"))
	assert.Equal(t, "report & co.pdf", file.FileName)
	assert.Equal(t, wechat.AppMsgTypeAttach, file.AppMsgType)
	assert.Contains(t, file.Content, "&lt;totallen&gt;13&lt;/totallen&gt;")
	assert.NotEmpty(t, file.EncryFileName)

	notify := r.AddMsgList[1]
	assert.Equal(t, s.UserName("alice")+","+s.UserName("family"), notify.StatusNotifyUserName)
	assert.Equal(t, s.UserName(SelfID), notify.ToUserName)

	fr := r.AddMsgList[2]
	assert.Equal(t, friendMsg, int64(fr.NewMsgId))
	assert.Equal(t, "fmessage", fr.FromUserName)
	assert.Equal(t, wechat.MsgTypeVerify, fr.MsgType)
	assert.Regexp(t, `^@[0-9a-f]{32}$`, fr.RecommendInfo.UserName)
	assert.Equal(t, "Hank", fr.RecommendInfo.NickName)
	assert.Equal(t, "hi, I'm Hank", fr.RecommendInfo.Content)
	assert.NotEmpty(t, fr.RecommendInfo.Ticket)
	assert.Contains(t, fr.Content, "fromnickname=\"Hank\"")
}

func TestInjectDefaults(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.Inject(Message{Text: "to filehelper"})
	s.Inject(Message{Chat: "stranger-x", Text: "from someone unknown"})
	r := c.sync(init.SyncKey)
	require.Equal(t, 2, r.AddMsgCount)
	assert.Equal(t, "filehelper", r.AddMsgList[0].FromUserName)
	assert.Equal(t, wechat.MsgTypeText, r.AddMsgList[0].MsgType)
	assert.Equal(t, s.UserName("stranger-x"), r.AddMsgList[1].FromUserName)
	assert.NotEmpty(t, s.UserName("stranger-x"))
	assert.Empty(t, s.UserName("never-seen"))
	assert.Equal(t, "fmessage", s.UserName("fmessage"))
	assert.Empty(t, s.EncryChatRoomId("alice"))
}

// TestPhoneOffline: while the phone is offline synccheck answers its
// selector at once although webwxsync brings nothing; messages still come;
// back online, synccheck holds again. The control API sets it too.
func TestPhoneOffline(t *testing.T) {
	s, c, init := loggedIn(t, Config{SyncCheckHold: time.Minute, ControlAPI: true})
	first := c.sync(init.SyncKey)
	require.Zero(t, first.AddMsgCount)
	syncKey, key := init.SyncKey, first.SyncCheckKey // an idle answer's SyncKey is empty

	code, body := c.control(http.MethodPost, "phone-offline", url.Values{"selector": {"7"}}, nil)
	require.Equal(t, http.StatusOK, code, string(body))
	for range 3 {
		start := time.Now()
		retcode, selector := c.syncCheck(key)
		assert.Equal(t, 0, retcode)
		assert.Equal(t, 7, selector)
		assert.Less(t, time.Since(start), 5*time.Second, "answered at once, not after the hold")
		empty := c.sync(syncKey)
		assert.Zero(t, empty.AddMsgCount, "webwxsync brings nothing")
		assert.Zero(t, empty.SyncKey.Count)
	}

	id := s.InjectText("alice", "", "still there")
	got := c.sync(syncKey)
	require.Equal(t, 1, got.AddMsgCount, "injected events still come")
	assert.Equal(t, wechat.Int64(id), got.AddMsgList[0].NewMsgId)

	code, _ = c.control(http.MethodPost, "phone-offline", url.Values{"selector": {"9"}}, nil)
	assert.Equal(t, http.StatusBadRequest, code)
	s.PhoneOnline()
	held := c.asyncGet(api("synccheck"), c.syncCheckQuery(got.SyncCheckKey.String()))
	select {
	case b := <-held:
		t.Fatalf("synccheck answered at once after PhoneOnline: %s", b)
	case <-time.After(300 * time.Millisecond):
	}
	s.Close()
	assert.Equal(t, syncCheckBody(0, 0), receive(t, held))
	assert.Empty(t, s.Violations())
}

// TestVideoContentIsOpaque: a video's Content is an opaque "@…" blob, not
// XML (after the sender prefix in a group); what a client knows of the
// video comes from PlayLength and ImgWidth/ImgHeight.
func TestVideoContentIsOpaque(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	blob := regexp.MustCompile(`^@[A-Za-z0-9_-]{100,}$`)
	s.InjectVideo("alice", "", []byte("mp4"), plainJPEG(nil, 160, 90), 7)
	s.InjectVideo("family", "bob", []byte("mp4"), nil, 3)
	r := c.sync(init.SyncKey)
	require.Equal(t, 2, r.AddMsgCount)
	direct, group := r.AddMsgList[0], r.AddMsgList[1]
	assert.Equal(t, wechat.MsgTypeVideo, direct.MsgType)
	assert.Regexp(t, blob, direct.Content)
	assert.Equal(t, 7, direct.PlayLength)
	assert.Equal(t, 160, direct.ImgWidth)
	assert.Equal(t, 90, direct.ImgHeight)
	prefix := s.UserName("bob") + ":<br/>"
	require.True(t, strings.HasPrefix(group.Content, prefix), group.Content)
	assert.Regexp(t, blob, strings.TrimPrefix(group.Content, prefix))
	assert.NotEqual(t, direct.Content, strings.TrimPrefix(group.Content, prefix), "each video its own blob")
}
