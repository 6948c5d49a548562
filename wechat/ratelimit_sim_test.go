package wechat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// The test config's cooldowns after 1205: RetryDelay×5 = 50 ms, then
// doubling up to MaxBackoff (100 ms), each less up to 20% jitter.
const (
	firstCooldown = 40 * time.Millisecond
	laterCooldown = 80 * time.Millisecond
)

// sendCalls returns the send calls the simulator received on any send
// endpoint, oldest first.
func sendCalls(sim *wechattest.Server) []wechattest.Request {
	var all []wechattest.Request
	for _, ep := range []string{"webwxsendmsg", "webwxsendmsgimg", "webwxsendvideomsg", "webwxsendappmsg", "webwxsendemoticon"} {
		all = append(all, sim.Requests(ep)...)
	}
	slices.SortStableFunc(all, func(a, b wechattest.Request) int { return a.Time.Compare(b.Time) })
	return all
}

// TestTooFrequentPausesAllSends: after a 1205 no send of any kind reaches
// WeChat until the cooldown has passed; the refused message is sent again
// (once delivered, never doubled) before the sends queued behind it.
func TestTooFrequentPausesAllSends(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)
	sim.FailNext("webwxsendmsg", 2, wechattest.FaultTooFrequent)

	first := make(chan error, 1)
	go func() {
		_, err := c.SendText(ctx, sim.UserName("alice"), "first", nil)
		first <- err
	}()
	require.Eventually(t, func() bool { return len(sim.Requests("webwxsendmsg")) >= 1 }, 5*time.Second, time.Millisecond)
	// A sticker to another chat, while WeChat refuses sends.
	_, err := c.SendEmoticon(ctx, sim.UserName("bob"), "0b7c4a1d5e3f29a8c6b2d4e1f3a5c7e9", "")
	require.NoError(t, err)
	require.NoError(t, <-first)

	sent := sim.Sent()
	require.Len(t, sent, 2, "each message delivered once")
	assert.Equal(t, "first", sent[0].Msg.Content, "the refused message keeps its place")
	assert.Equal(t, "webwxsendemoticon", sent[1].Endpoint)

	calls := sendCalls(sim)
	require.Len(t, calls, 4, "two refused calls, the retry, the sticker")
	assert.Equal(t, "/cgi-bin/mmwebwx-bin/webwxsendemoticon", calls[3].Path, "nothing overtook the cooldown")
	assert.GreaterOrEqual(t, calls[1].Time.Sub(calls[0].Time), firstCooldown, "no send during the first cooldown")
	assert.GreaterOrEqual(t, calls[2].Time.Sub(calls[1].Time), laterCooldown, "the second cooldown is longer")
	var ids []string
	for _, r := range calls[:3] {
		var body wechat.SendRequest
		require.NoError(t, json.Unmarshal(r.Body, &body))
		ids = append(ids, body.Msg.ClientMsgId)
	}
	assert.Equal(t, []string{ids[0], ids[0], ids[0]}, ids, "the same message each time")
	assert.Empty(t, sim.Violations())
}

// TestTooFrequentGivesUpThenKeepsPausing: a message refused more often than
// SendRetries allows fails with ErrTooFrequent and is not delivered; the
// next message still waits out the cooldown, and the run of refusals ends
// with a message WeChat takes.
func TestTooFrequentGivesUpThenKeepsPausing(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)
	sim.FailNext("webwxsendmsg", 4, wechattest.FaultTooFrequent)

	_, err := c.SendText(ctx, sim.UserName("alice"), "refused", nil)
	require.ErrorIs(t, err, wechat.ErrTooFrequent)
	assert.Empty(t, sim.Sent(), "a refused message is not delivered")
	require.Len(t, sim.Requests("webwxsendmsg"), 4, "the first try and 3 retries")

	gaveUp := time.Now()
	_, err = c.SendText(ctx, sim.UserName("alice"), "later", nil)
	require.NoError(t, err)
	calls := sim.Requests("webwxsendmsg")
	require.Len(t, calls, 5)
	assert.GreaterOrEqual(t, calls[4].Time.Sub(calls[3].Time), laterCooldown, "the next message waited out the cooldown")
	assert.Greater(t, calls[4].Time, gaveUp)
	require.Len(t, sim.Sent(), 1)
	assert.Equal(t, "later", sim.Sent()[0].Msg.Content)
}

// TestSendsUnderTheRateLimit: against the server's own limiter (a burst of
// 3, then one every 120 ms) a burst of messages is delivered exactly once
// each and in order, although the server refuses some calls.
func TestSendsUnderTheRateLimit(t *testing.T) {
	sim := newSim(t, func(c *wechattest.Config) {
		c.RateLimit = wechattest.RateLimit{Send: wechattest.Bucket{Burst: 3, Every: 120 * time.Millisecond}}
	})
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)
	var want []string
	for i := range 8 {
		text := fmt.Sprintf("burst %d", i)
		want = append(want, text)
		_, err := c.SendText(ctx, sim.UserName("alice"), text, nil)
		require.NoError(t, err, text)
	}
	var got []string
	for _, m := range sim.Sent() {
		got = append(got, m.Msg.Content)
	}
	assert.Equal(t, want, got, "every message once, in order")
	assert.NotEmpty(t, sim.Refusals(), "the limiter did refuse calls")
	assert.Len(t, sim.Requests("webwxsendmsg"), len(want)+len(sim.Refusals()))
}

// TestBatchGetContactsTooFrequent: a batch refused with 1205 is fetched
// again, the same batch, after the cooldown; callers get the error only
// when the retries run out.
func TestBatchGetContactsTooFrequent(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	ctx := testCtx(t)
	items := []wechat.BatchContactRequestItem{{UserName: sim.UserName("family")}, {UserName: sim.UserName("alice")}}

	sim.FailNext("webwxbatchgetcontact", 2, wechattest.FaultTooFrequent)
	got, err := c.BatchGetContacts(ctx, items)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, sim.UserName("family"), got[0].UserName)
	reqs := sim.Requests("webwxbatchgetcontact")
	require.Len(t, reqs, 3)
	assert.Equal(t, reqs[0].Body, reqs[2].Body, "the same batch again")
	assert.GreaterOrEqual(t, reqs[1].Time.Sub(reqs[0].Time), firstCooldown)
	assert.GreaterOrEqual(t, reqs[2].Time.Sub(reqs[1].Time), laterCooldown)

	sim.FailNext("webwxbatchgetcontact", 10, wechattest.FaultTooFrequent)
	_, err = c.BatchGetContacts(ctx, items)
	require.ErrorIs(t, err, wechat.ErrTooFrequent)
	assert.Len(t, sim.Requests("webwxbatchgetcontact"), 3+4, "the first try and 3 retries")
}

// uploadChunks returns the chunk field of every webwxuploadmedia request.
func uploadChunks(t *testing.T, sim *wechattest.Server) []string {
	t.Helper()
	var out []string
	for _, r := range sim.Requests("webwxuploadmedia") {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		require.NoError(t, err)
		form, err := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"]).ReadForm(1 << 20)
		require.NoError(t, err)
		out = append(out, strings.Join(form.Value["chunk"], ","))
	}
	return out
}

// TestUploadChunkFaults: a 1205, a reset or a lost answer on one chunk of a
// 3-chunk upload sends that chunk again, not the file from its start; the
// file arrives once, whole, with one MediaId.
func TestUploadChunkFaults(t *testing.T) {
	tests := []struct {
		name       string
		skip       int
		fault      wechattest.Fault
		wantChunks []string
	}{
		{"1205 on the middle chunk", 1, wechattest.FaultTooFrequent, []string{"0", "1", "1", "2"}},
		{"reset on the middle chunk", 1, wechattest.FaultReset, []string{"0", "1", "1", "2"}},
		{"answer to the middle chunk lost", 1, wechattest.FaultLoseAnswer, []string{"0", "1", "1", "2"}},
		{"answer to the last chunk lost", 2, wechattest.FaultLoseAnswer, []string{"0", "1", "2", "2"}},
		{"HTTP 500 on the first chunk", 0, wechattest.FaultHTTP500, []string{"0", "0", "1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			cfg := testConfig(sim, wechat.ModeDesktop)
			c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
			data := randomBytes(2*wechat.UploadChunkSize+4321, 7)
			sim.FailAfter("webwxuploadmedia", tt.skip, 1, tt.fault)
			up, err := c.Upload(testCtx(t), sim.UserName("alice"), "photo.jpg", "image/jpeg", bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err)
			assert.Equal(t, tt.wantChunks, uploadChunks(t, sim), "only the failed chunk again")
			ups := sim.Uploads()
			require.Len(t, ups, 1, "one file on the server")
			assert.Equal(t, data, ups[0].Data, "whole, each chunk once")
			assert.Equal(t, up.MediaID, ups[0].MediaID, "one MediaId")
			_, err = c.SendImage(testCtx(t), sim.UserName("alice"), up.MediaID)
			require.NoError(t, err)
			assert.Len(t, sim.Sent(), 1)
			assert.Empty(t, sim.Violations())
		})
	}
}

// TestUploadChunkGivesUp: a chunk that keeps failing on the way fails the
// upload after a bounded number of tries.
func TestUploadChunkGivesUp(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	c, _ := startClient(t, login(t, sim, cfg), cfg, newRecorder())
	data := randomBytes(2*wechat.UploadChunkSize, 8)
	sim.FailAfter("webwxuploadmedia", 1, 10, wechattest.FaultHTTP500)
	_, err := c.Upload(testCtx(t), sim.UserName("alice"), "big.bin", "", bytes.NewReader(data), int64(len(data)))
	var httpErr *wechat.HTTPError
	require.ErrorAs(t, err, &httpErr)
	assert.Equal(t, []string{"0", "1", "1", "1"}, uploadChunks(t, sim))
	assert.Empty(t, sim.Uploads())
}

// TestDownloadRetries: a download the server fails (HTTP 500, or 503 for
// too frequent) is asked for again a bounded number of times.
func TestDownloadRetries(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, _ := startClient(t, login(t, sim, cfg), cfg, rec)
	ctx := testCtx(t)
	img := randomBytes(20_000, 9)
	id := sim.Inject(wechattest.Message{Chat: "alice", Type: wechat.MsgTypeImage, Media: img})
	msg := rec.waitForMessageID(t, id)

	sim.FailNext("webwxgetmsgimg", 1, wechattest.FaultHTTP500)
	sim.FailNext("webwxgetmsgimg", 1, wechattest.FaultTooFrequent)
	d, err := c.DownloadImage(ctx, msg.MsgID, wechat.ImageOriginal)
	assert.Equal(t, img, readAll(t, d, err))
	assert.Len(t, sim.Requests("webwxgetmsgimg"), 3)

	sim.FailNext("webwxgetmsgimg", 5, wechattest.FaultHTTP500)
	_, err = c.DownloadImage(ctx, msg.MsgID, wechat.ImageOriginal)
	var httpErr *wechat.HTTPError
	require.ErrorAs(t, err, &httpErr)
	assert.Len(t, sim.Requests("webwxgetmsgimg"), 3+3, "three tries, then the error")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.DownloadImage(cancelled, msg.MsgID, wechat.ImageOriginal)
	require.ErrorIs(t, err, context.Canceled)
}
