package wechat_test

import (
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func readAll(t *testing.T, d *wechat.Download, err error) []byte {
	t.Helper()
	require.NoError(t, err)
	defer d.Close()
	data, err := io.ReadAll(d)
	require.NoError(t, err)
	return data
}

func TestDownloads(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	ctx := testCtx(t)

	img := randomBytes(300_000, 10)
	imgID := sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeImage, Media: img, Thumb: []byte("thumb"), ImgWidth: 640, ImgHeight: 480})
	voice := randomBytes(5000, 11)
	voiceID := sim.Inject(wechattest.Message{Chat: "family", From: "bob", Type: wechat.MsgTypeVoice, Media: voice, VoiceLength: 3000})
	video := randomBytes(700_000, 12)
	videoID := sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeVideo, Media: video, Thumb: []byte("poster"), PlayLength: 7})
	file := randomBytes(90_000, 13)
	fileID := sim.InjectFile("alice", "", "notes.pdf", file)

	msgs := map[int64]*wechat.Message{}
	for _, id := range []int64{imgID, voiceID, videoID, fileID} {
		msgs[id] = rec.waitForMessageID(t, id)
	}
	s := func(id int64) string { return strconv.FormatInt(id, 10) }

	d, err := c.DownloadImage(ctx, msgs[imgID].MsgID, wechat.ImageOriginal)
	assert.Equal(t, img, readAll(t, d, err), "the original image, not the thumbnail")
	d, err = c.DownloadImage(ctx, s(imgID), wechat.ImageThumb)
	assert.Equal(t, []byte("thumb"), readAll(t, d, err))
	d, err = c.DownloadVoice(ctx, msgs[voiceID].MsgID)
	assert.Equal(t, voice, readAll(t, d, err))
	d, err = c.DownloadVideo(ctx, msgs[videoID].MsgID)
	assert.Equal(t, video, readAll(t, d, err))
	assert.Equal(t, "bytes=0-", sim.Requests("webwxgetvideo")[0].Header.Get("Range"))

	f, ok := msgs[fileID].Content.(*wechat.File)
	require.True(t, ok, "got %T", msgs[fileID].Content)
	assert.Equal(t, "notes.pdf", f.Name)
	assert.Equal(t, int64(len(file)), f.Size)
	d, err = c.DownloadFile(ctx, msgs[fileID].Raw.FromUserName, f.MediaID, f.EncryFileName)
	assert.Equal(t, file, readAll(t, d, err))
	get := sim.Requests("webwxgetmedia")[0]
	assert.NotEmpty(t, get.Query.Get("webwx_data_ticket"))
	assert.Equal(t, s(sim.SelfUin()), get.Query.Get("fromuser"))

	d, err = c.DownloadAvatar(ctx, sim.UserName("alice"), "")
	assert.NotEmpty(t, readAll(t, d, err))
	d, err = c.DownloadAvatar(ctx, sim.UserName("erin"), sim.EncryChatRoomId("family"))
	assert.NotEmpty(t, readAll(t, d, err), "a non-friend member's avatar needs the group")
	d, err = c.DownloadGroupAvatar(ctx, sim.UserName("family"))
	assert.NotEmpty(t, readAll(t, d, err))
}

func TestDownloadSizeLimit(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	cfg.MaxMediaSize = 10_000
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	id := sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeImage, Media: randomBytes(50_000, 9)})
	msg := rec.waitForMessageID(t, id)
	d, err := c.DownloadImage(testCtx(t), msg.MsgID, wechat.ImageOriginal)
	if err == nil {
		_, err = io.ReadAll(d)
		d.Close()
	}
	assert.ErrorIs(t, err, wechat.ErrTooLarge)
}

func TestDownloadUnknownMessage(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	_, err := c.DownloadVoice(testCtx(t), "12345")
	var httpErr *wechat.HTTPError
	assert.ErrorAs(t, err, &httpErr)
}

func TestDownloadHeadImgFromRoster(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, init := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	roster, err := c.LoadRoster(testCtx(t), init)
	require.NoError(t, err)
	alice := roster.Find(sim.UserName("alice"))
	require.NotNil(t, alice)
	require.NotEmpty(t, alice.HeadImgUrl)
	d, err := c.DownloadHeadImg(testCtx(t), alice.HeadImgUrl)
	assert.NotEmpty(t, readAll(t, d, err))

	// After an skey rotation the URL's skey is stale; the current one is sent.
	oldSKey := c.Session().SKey
	sim.RotateSKey()
	rec := sim.InjectText("alice", "", "rotate")
	require.Eventually(t, func() bool { return c.Session().SKey != oldSKey }, 10*time.Second, 20*time.Millisecond, "the client learns the new skey (message %d)", rec)
	d, err = c.DownloadHeadImg(testCtx(t), alice.HeadImgUrl)
	assert.NotEmpty(t, readAll(t, d, err), "the avatar still downloads")
	assert.Empty(t, sim.Violations())
	reqs := sim.Requests("webwxgeticon")
	given, err := url.Parse(alice.HeadImgUrl)
	require.NoError(t, err)
	assert.Equal(t, paramNames(given.RawQuery), paramNames(reqs[len(reqs)-1].RawQuery), "the URL as the server gave it")
	assert.Equal(t, c.Session().SKey, reqs[len(reqs)-1].Query.Get("skey"), "but with the current skey")

	_, err = c.DownloadHeadImg(testCtx(t), "https://evil.example/x.jpg")
	assert.ErrorIs(t, err, wechat.ErrUnexpectedResponse, "only server paths are fetched")
}

// TestNonFriendMemberAvatar: the avatar of a group member who is not a
// friend is fetched as the web client fetches it, with the group's
// EncryChatRoomId as chatroomid; the group's UserName does not work there.
func TestNonFriendMemberAvatar(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, init := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)
	roster, err := c.LoadRoster(ctx, init)
	require.NoError(t, err)
	family := roster.Find(sim.UserName("family"))
	require.NotNil(t, family)
	require.Equal(t, sim.EncryChatRoomId("family"), family.EncryChatRoomId)
	erin := sim.UserName("erin")

	d, err := c.DownloadAvatar(ctx, erin, family.EncryChatRoomId)
	assert.NotEmpty(t, readAll(t, d, err))
	reqs := sim.Requests("webwxgeticon")
	require.Len(t, reqs, 1)
	assert.Equal(t, "seq=0&username="+url.QueryEscape(erin)+"&skey="+url.QueryEscape(c.Session().SKey)+
		"&chatroomid="+url.QueryEscape(family.EncryChatRoomId), reqs[0].RawQuery, "the web client's URL")
	assert.Empty(t, sim.Violations())

	d, err = c.DownloadAvatar(ctx, erin, family.UserName)
	assert.Empty(t, readAll(t, d, err), "the server answers an empty 200")
	assert.NotEmpty(t, sim.Violations())
}

// paramNames lists the names in a raw query, in their order.
func paramNames(rawQuery string) []string {
	var names []string
	for _, p := range strings.Split(rawQuery, "&") {
		name, _, _ := strings.Cut(p, "=")
		names = append(names, name)
	}
	return names
}
