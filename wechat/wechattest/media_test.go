package wechattest

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestMediaDownloads(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	jpg := plainJPEG([]byte("image"), 400, 300)
	imgID := strconv.FormatInt(s.InjectImage("alice", "", jpg), 10)
	mp3 := []byte("ID3\x03voice-bytes")
	voiceID := strconv.FormatInt(s.InjectVoice("alice", "", mp3, 2000), 10)
	mp4 := []byte("\x00\x00\x00\x18ftypmp42video-bytes")
	videoID := strconv.FormatInt(s.InjectVideo("alice", "", mp4, nil, 3), 10)
	gif := []byte("GIF89a-sticker")
	stickerID := strconv.FormatInt(s.InjectEmoticon("alice", "", gif), 10)
	skey := c.skey
	rangeHeader := http.Header{"Range": {"bytes=0-"}}

	tests := []struct {
		name       string
		endpoint   string
		q          url.Values
		header     http.Header
		wantStatus int
		want       []byte
		check      func(t *testing.T, body []byte)
	}{
		{"image original", "webwxgetmsgimg", url.Values{"MsgID": {imgID}, "skey": {skey}}, nil, 200, jpg, nil},
		{"image original, lowercase msgid", "webwxgetmsgimg", url.Values{"msgid": {imgID}, "skey": {skey}}, nil, 200, jpg, nil},
		{"image thumbnail", "webwxgetmsgimg", url.Values{"MsgID": {imgID}, "skey": {skey}, "type": {"slave"}}, nil, 200, nil, func(t *testing.T, body []byte) {
			w, h := imageSize(body)
			assert.Equal(t, 120, w)
			assert.Equal(t, 90, h)
		}},
		{"video poster", "webwxgetmsgimg", url.Values{"MsgID": {videoID}, "skey": {skey}, "type": {"slave"}}, nil, 200, nil, func(t *testing.T, body []byte) {
			assert.Equal(t, "image/jpeg", http.DetectContentType(body))
		}},
		{"sticker big", "webwxgetmsgimg", url.Values{"MsgID": {stickerID}, "skey": {skey}, "type": {"big"}}, nil, 200, gif, nil},
		{"unknown message", "webwxgetmsgimg", url.Values{"MsgID": {"1"}, "skey": {skey}}, nil, 404, nil, nil},
		{"wrong skey: empty 200", "webwxgetmsgimg", url.Values{"MsgID": {imgID}, "skey": {"@crypt_x"}}, nil, 200, []byte{}, nil},
		{"voice", "webwxgetvoice", url.Values{"msgid": {voiceID}, "skey": {skey}}, nil, 200, mp3, nil},
		{"voice of an image", "webwxgetvoice", url.Values{"msgid": {imgID}, "skey": {skey}}, nil, 404, nil, nil},
		{"video with Range", "webwxgetvideo", url.Values{"msgid": {videoID}, "skey": {skey}}, rangeHeader, 206, mp4, nil},
		{"video partial Range", "webwxgetvideo", url.Values{"msgid": {videoID}, "skey": {skey}}, http.Header{"Range": {"bytes=0-3"}}, 206, mp4[:4], nil},
		{"video without Range", "webwxgetvideo", url.Values{"msgid": {videoID}, "skey": {skey}}, nil, 416, nil, nil},
		{"video unknown", "webwxgetvideo", url.Values{"msgid": {imgID}, "skey": {skey}}, rangeHeader, 404, nil, nil},
		{"friend avatar", "webwxgeticon", url.Values{"username": {s.UserName("alice")}, "skey": {skey}, "seq": {"0"}}, nil, 200, nil, jpegCheck},
		{"self avatar", "webwxgeticon", url.Values{"username": {s.UserName(SelfID)}, "skey": {skey}}, nil, 200, nil, jpegCheck},
		{"non-friend without chatroomid", "webwxgeticon", url.Values{"username": {s.UserName("erin")}, "skey": {skey}}, nil, 200, []byte{}, nil},
		{"non-friend with the group's UserName", "webwxgeticon", url.Values{"username": {s.UserName("erin")}, "skey": {skey}, "chatroomid": {s.UserName("family")}}, nil, 200, []byte{}, nil},
		{"non-friend with another group's EncryChatRoomId", "webwxgeticon", url.Values{"username": {s.UserName("erin")}, "skey": {skey}, "chatroomid": {s.EncryChatRoomId("project")}}, nil, 200, []byte{}, nil},
		{"non-friend with the group's EncryChatRoomId", "webwxgeticon", url.Values{"username": {s.UserName("erin")}, "skey": {skey}, "chatroomid": {s.EncryChatRoomId("family")}}, nil, 200, nil, jpegCheck},
		{"non-friend with EncryChatRoomId", "webwxgeticon", url.Values{"username": {s.UserName("frank")}, "skey": {skey}, "chatroomid": {s.EncryChatRoomId("project")}}, nil, 200, nil, jpegCheck},
		{"unknown user", "webwxgeticon", url.Values{"username": {"@x"}, "skey": {skey}}, nil, 404, nil, nil},
		{"group avatar", "webwxgetheadimg", url.Values{"username": {s.UserName("family")}, "skey": {skey}, "seq": {"0"}}, nil, 200, nil, jpegCheck},
		{"headimg of a person", "webwxgetheadimg", url.Values{"username": {s.UserName("alice")}, "skey": {skey}}, nil, 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.do(http.MethodGet, api(tt.endpoint), tt.q, nil, tt.header)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.want != nil {
				assert.Equal(t, tt.want, body)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
	assert.True(t, hasViolation(s, "no Range header"))
}

func jpegCheck(t *testing.T, body []byte) {
	assert.Equal(t, "image/jpeg", http.DetectContentType(body))
}

func TestMediaNeedsCookies(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	id := strconv.FormatInt(s.InjectImage("alice", "", []byte("x")), 10)
	nc := c.withoutCookies()
	for _, endpoint := range []string{"webwxgetmsgimg", "webwxgetvoice", "webwxgetvideo", "webwxgeticon", "webwxgetheadimg", "webwxgetmedia"} {
		resp, body := nc.do(http.MethodGet, api(endpoint), url.Values{"MsgID": {id}, "skey": {c.skey}, "username": {s.UserName("family")}}, nil, http.Header{"Range": {"bytes=0-"}})
		assert.Equal(t, http.StatusOK, resp.StatusCode, endpoint)
		assert.Empty(t, body, endpoint)
	}
}

func TestGetMediaChecks(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	s.InjectFile("family", "erin", "notes.txt", []byte("some notes"))
	m := c.sync(init.SyncKey).AddMsgList[0]
	require.Equal(t, s.UserName("family"), m.FromUserName)
	good := func() url.Values {
		return url.Values{
			"sender": {m.FromUserName}, "mediaid": {m.MediaId}, "encryfilename": {m.EncryFileName},
			"fromuser": {strconv.FormatInt(c.uin, 10)}, "pass_ticket": {c.passTicket}, "webwx_data_ticket": {c.cookie("webwx_data_ticket")},
		}
	}
	tests := []struct {
		name   string
		mutate func(q url.Values)
		want   string
	}{
		{"ok", func(url.Values) {}, "some notes"},
		{"fromuser is the UserName", func(q url.Values) { q.Set("fromuser", s.UserName(SelfID)) }, ""},
		{"no data ticket", func(q url.Values) { q.Del("webwx_data_ticket") }, ""},
		{"no encryfilename", func(q url.Values) { q.Del("encryfilename") }, ""},
		{"wrong sender", func(q url.Values) { q.Set("sender", s.UserName("erin")) }, ""},
		{"no pass_ticket", func(q url.Values) { q.Del("pass_ticket") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := good()
			tt.mutate(q)
			resp, body := c.do(http.MethodGet, api("webwxgetmedia"), q, nil, nil)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.want, string(body))
		})
	}
	q := good()
	q.Set("mediaid", "@crypt_unknown")
	resp, _ := c.do(http.MethodGet, api("webwxgetmedia"), q, nil, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestFriendRequestAvatarNeedsMsgID(t *testing.T) {
	s, c, init := loggedIn(t, Config{})
	id, msgID := s.InjectFriendRequest("Ivy", "hello")
	fr := c.sync(init.SyncKey).AddMsgList[0]
	require.Equal(t, s.UserName(id), fr.RecommendInfo.UserName)
	q := url.Values{"username": {fr.RecommendInfo.UserName}, "skey": {c.skey}}
	_, body := c.do(http.MethodGet, api("webwxgeticon"), q, nil, nil)
	assert.Empty(t, body)
	q.Set("msgid", strconv.FormatInt(msgID, 10))
	_, body = c.do(http.MethodGet, api("webwxgeticon"), q, nil, nil)
	assert.NotEmpty(t, body)
}

func TestAvatarChangesWithSeq(t *testing.T) {
	s, c, _ := loggedIn(t, Config{})
	before := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("alice")}).ContactList[0].HeadImgUrl
	s.UpdateContact("alice", func(sc *SeedContact) { sc.Avatar = []byte("\xff\xd8\xffnew avatar") })
	after := batchGet(c, wechat.BatchContactRequestItem{UserName: s.UserName("alice")}).ContactList[0].HeadImgUrl
	assert.NotEqual(t, before, after)
	u, err := url.Parse(after)
	require.NoError(t, err)
	_, body := c.do(http.MethodGet, u.Path, u.Query(), nil, nil)
	assert.Equal(t, "\xff\xd8\xffnew avatar", string(body))
}
