package wechat_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestSendText(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)

	_, err := c.SendText(ctx, sim.UserName("alice"), "<b>x</b> & 中文 😀\nline", nil)
	require.NoError(t, err)
	_, err = c.SendText(ctx, sim.UserName("family"), "@Alice\u2005look", []string{sim.UserName("alice")})
	require.NoError(t, err)

	sent := sim.Sent()
	require.Len(t, sent, 2)
	assert.Equal(t, "alice", sent[0].ToID)
	assert.Equal(t, "<b>x</b> & 中文 😀\nline", sent[0].Msg.Content)
	assert.Empty(t, sent[0].Msg.MsgSource)
	assert.Equal(t, sent[0].Msg.LocalID, sent[0].Msg.ClientMsgId)
	assert.NotEqual(t, sent[0].Msg.ClientMsgId, sent[1].Msg.ClientMsgId)
	assert.Equal(t, "family", sent[1].ToID)
	assert.Contains(t, sent[1].Msg.MsgSource, "<atusername>"+sim.UserName("alice")+"</atusername>")
	assert.Contains(t, sent[1].Msg.MsgSource, "<atchatroomname>"+sim.UserName("family")+"</atchatroomname>")
	body := string(sim.Requests("webwxsendmsg")[0].Body)
	assert.Contains(t, body, "<b>x</b>", "JSON is sent without HTML escaping")
}

func TestSendToUnknownChatFails(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	_, err := c.SendText(testCtx(t), "@0123456789abcdef0123456789abcdef", "hi", nil)
	var retErr *wechat.RetError
	assert.ErrorAs(t, err, &retErr)
	_, err = c.SendText(testCtx(t), "", "hi", nil)
	assert.Error(t, err)
}

func TestSendPacing(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.SendInterval = 150 * time.Millisecond
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	for range 3 {
		_, err := c.SendText(testCtx(t), sim.UserName("alice"), "paced", nil)
		require.NoError(t, err)
	}
	reqs := sim.Requests("webwxsendmsg")
	require.Len(t, reqs, 3)
	for i := 1; i < len(reqs); i++ {
		assert.GreaterOrEqual(t, reqs[i].Time.Sub(reqs[i-1].Time), 140*time.Millisecond, "sends keep the interval")
	}
}

func TestSendRetriesTooFrequent(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	sim.FailNext("webwxsendmsg", 2, wechattest.FaultTooFrequent)
	res, err := c.SendText(testCtx(t), sim.UserName("alice"), "eventually", nil)
	require.NoError(t, err)
	assert.Len(t, sim.Requests("webwxsendmsg"), 3)
	require.Len(t, sim.Sent(), 1, "delivered once")
	assert.Equal(t, res.MsgID, sim.Sent()[0].MsgID)

	sim.FailNext("webwxsendmsg", 10, wechattest.FaultTooFrequent)
	_, err = c.SendText(testCtx(t), sim.UserName("alice"), "gives up", nil)
	assert.ErrorIs(t, err, wechat.ErrTooFrequent, "after the retries the caller learns why")
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestUploadAndSendMedia(t *testing.T) {
	gif := append([]byte("GIF89a"), randomBytes(1000, 3)...)
	tests := []struct {
		name          string
		file          string
		mime          string
		data          []byte
		wantMediaType string
		wantChunks    int
		send          func(*wechat.Client, string, *wechat.UploadResult) (*wechat.SendResult, error)
		endpoint      string
	}{
		{"image in three chunks", "photo.jpg", "image/jpeg", randomBytes(2*wechat.UploadChunkSize+123, 1), "pic", 3,
			func(c *wechat.Client, to string, up *wechat.UploadResult) (*wechat.SendResult, error) {
				return c.SendImage(testCtx(t), to, up.MediaID)
			}, "webwxsendmsgimg"},
		{"video", "clip.mp4", "video/mp4", randomBytes(600_000, 2), "video", 2,
			func(c *wechat.Client, to string, up *wechat.UploadResult) (*wechat.SendResult, error) {
				return c.SendVideo(testCtx(t), to, up.MediaID)
			}, "webwxsendvideomsg"},
		{"file", "report <final>.pdf", "application/pdf", randomBytes(1000, 4), "doc", 1,
			func(c *wechat.Client, to string, up *wechat.UploadResult) (*wechat.SendResult, error) {
				return c.SendFile(testCtx(t), to, up)
			}, "webwxsendappmsg"},
		{"gif as sticker", "cat.gif", "image/gif", gif, "doc", 1,
			func(c *wechat.Client, to string, up *wechat.UploadResult) (*wechat.SendResult, error) {
				return c.SendEmoticon(testCtx(t), to, "", up.MediaID)
			}, "webwxsendemoticon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			cfg := testConfig(sim, wechat.ModeDesktop)
			c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
			to := sim.UserName("alice")
			up, err := c.Upload(testCtx(t), to, tt.file, tt.mime, bytes.NewReader(tt.data), int64(len(tt.data)))
			require.NoError(t, err)
			assert.Equal(t, md5hex(tt.data), up.MD5)
			assert.Equal(t, tt.wantMediaType, up.MediaType)

			uploads := sim.Uploads()
			require.Len(t, uploads, 1)
			assert.Equal(t, up.MediaID, uploads[0].MediaID)
			assert.Equal(t, tt.data, uploads[0].Data, "the server got the exact bytes")
			assert.Equal(t, md5hex(tt.data), uploads[0].MD5)
			assert.Equal(t, tt.wantChunks, uploads[0].Chunks)
			assert.Equal(t, tt.wantMediaType, uploads[0].MediaType)
			assert.Empty(t, uploads[0].Violations)

			res, err := tt.send(c, to, up)
			require.NoError(t, err)
			sent := sim.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, tt.endpoint, sent[0].Endpoint)
			assert.Equal(t, res.MsgID, sent[0].MsgID)
			assert.Empty(t, sim.Violations())
		})
	}
}

func TestSendFileContentEscapesName(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeWeb)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	data := []byte("hello")
	up, err := c.Upload(testCtx(t), sim.UserName("alice"), "a<b>&c.txt", "text/plain", bytes.NewReader(data), 5)
	require.NoError(t, err)
	_, err = c.SendFile(testCtx(t), sim.UserName("alice"), up)
	require.NoError(t, err)
	content := sim.Sent()[0].Msg.Content
	assert.Contains(t, content, "<title>a&lt;b&gt;&amp;c.txt</title>")
	assert.Contains(t, content, "appid='"+wechat.FileAppID+"'", "web mode names the web app")
	assert.Contains(t, content, "<attachid>"+up.MediaID+"</attachid>")
	assert.Contains(t, content, "<fileext>txt</fileext>")
}

func TestUploadRefusesTooLarge(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.MaxMediaSize = 1000
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	_, err := c.Upload(testCtx(t), sim.UserName("alice"), "big.bin", "", bytes.NewReader(make([]byte, 1001)), 1001)
	assert.ErrorIs(t, err, wechat.ErrTooLarge)
	assert.Empty(t, sim.Uploads())
	_, err = c.Upload(testCtx(t), sim.UserName("alice"), "empty", "", bytes.NewReader(nil), 0)
	assert.Error(t, err)
}

func TestRevoke(t *testing.T) {
	var skew atomic.Int64
	sim := newSim(t, func(c *wechattest.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	to := sim.UserName("alice")

	res, err := c.SendText(testCtx(t), to, "oops", nil)
	require.NoError(t, err)
	require.NoError(t, c.Revoke(testCtx(t), to, res))
	revokes := sim.Revokes()
	require.Len(t, revokes, 1)
	assert.Equal(t, res.ClientMsgID, revokes[0].ClientMsgId)

	old := *res
	old.Time = time.Now().Add(-3 * time.Minute)
	assert.ErrorIs(t, c.Revoke(testCtx(t), to, &old), wechat.ErrRevokeWindowPassed, "too old: refused without asking")

	res2, err := c.SendText(testCtx(t), to, "late", nil)
	require.NoError(t, err)
	skew.Store(int64(3 * time.Minute))
	res2.Time = time.Time{} // let the server decide
	var retErr *wechat.RetError
	assert.ErrorAs(t, c.Revoke(testCtx(t), to, res2), &retErr, "the server enforces the window too")
}

func TestMarkRead(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	require.NoError(t, c.MarkRead(testCtx(t), sim.UserName("alice")))
	var read []string
	for _, n := range sim.StatusNotifies() {
		if n.Code == wechat.StatusNotifyRead {
			read = append(read, n.ToUserName)
			assert.Equal(t, sim.UserName("self"), n.FromUserName)
		}
	}
	assert.Equal(t, []string{sim.UserName("alice")}, read)
}

func TestAcceptFriendRequest(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	id := sim.Inject(wechattest.Message{
		Chat: "fmessage", Type: wechat.MsgTypeVerify,
		RecommendInfo: &wechattest.RecommendInfo{NickName: "Grace", Content: "Hi, I'm Grace from the conference"},
	})
	msg := rec.waitForMessageID(t, id)
	req, ok := msg.Content.(*wechat.FriendRequest)
	require.True(t, ok, "got %T", msg.Content)
	assert.Equal(t, "Grace", req.NickName)
	assert.Equal(t, "Hi, I'm Grace from the conference", req.Greeting)
	require.NotEmpty(t, req.Ticket)

	require.Error(t, c.AcceptFriendRequest(testCtx(t), req.UserName, "wrong-ticket"))
	require.NoError(t, c.AcceptFriendRequest(testCtx(t), req.UserName, req.Ticket))
	verifies := sim.Verifies()
	require.NotEmpty(t, verifies)
	last := verifies[len(verifies)-1]
	assert.Equal(t, wechat.VerifyOpVerifyOK, last.Opcode)
	assert.Equal(t, []wechattest.VerifyUser{{Value: req.UserName, VerifyUserTicket: req.Ticket}}, last.VerifyUserList)
	rec.waitFor(t, "the new friend", func() bool {
		for _, b := range rec.batches() {
			for _, ct := range b.ModContacts {
				if ct.NickName == "Grace" && ct.ContactFlag&wechat.ContactFlagContact != 0 {
					return true
				}
			}
		}
		return false
	})
	rec.waitFor(t, "the system notice", func() bool {
		for _, m := range rec.messages() {
			if s, ok := m.Content.(*wechat.System); ok && strings.Contains(s.Text, "Grace") {
				return true
			}
		}
		return false
	})
}

func TestUploadAbove25MBAnnouncesTheFile(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	data := randomBytes(wechat.CheckUploadThreshold+1000, 21)
	to := sim.UserName("alice")
	up, err := c.Upload(testCtx(t), to, "archive.zip", "application/zip", bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	assert.NotEmpty(t, up.Signature, "checkupload's signature is kept for the send")
	require.Len(t, sim.Requests("webwxcheckupload"), 1)
	uploads := sim.Uploads()
	require.Len(t, uploads, 1)
	assert.Equal(t, md5hex(data), uploads[0].MD5)
	assert.Equal(t, 51, uploads[0].Chunks)
	_, err = c.SendFile(testCtx(t), to, up)
	require.NoError(t, err)
	assert.Equal(t, up.Signature, sim.Sent()[0].Msg.Signature)
	assert.Empty(t, sim.Violations())
}

func TestSendStickerByMD5(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	_, err := c.SendEmoticon(testCtx(t), sim.UserName("alice"), "", "")
	require.Error(t, err)
	_, err = c.SendEmoticon(testCtx(t), sim.UserName("alice"), "0b7c4a1d5e3f29a8c6b2d4e1f3a5c7e9", "")
	require.NoError(t, err)
	sent := sim.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "0b7c4a1d5e3f29a8c6b2d4e1f3a5c7e9", sent[0].Msg.EMoticonMd5)
	assert.Equal(t, 2, sent[0].Msg.EmojiFlag)
	assert.Equal(t, wechat.MsgTypeEmoticon, sent[0].Msg.Type)
}
