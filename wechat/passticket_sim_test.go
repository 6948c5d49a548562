package wechat_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestPassTicketSentAsIssued: pass_ticket comes URL-escaped from
// webwxnewloginpage, as the real one does. Every URL carries it exactly as
// it came (not escaped once more, not decoded), and the upload form
// carries it decoded, as the web client sends them.
func TestPassTicketSentAsIssued(t *testing.T) {
	sim := newSim(t)
	cfg := testConfig(sim, wechat.ModeDesktop)
	rec := newRecorder()
	c, init := startClient(t, login(t, sim, cfg), cfg, rec)
	ctx := testCtx(t)
	issued := c.Session().PassTicket
	require.Contains(t, issued, "%", "the simulator issues an escaped ticket")
	decoded, err := url.QueryUnescape(issued)
	require.NoError(t, err)

	_, err = c.LoadRoster(ctx, init)
	require.NoError(t, err)
	_, err = c.SendText(ctx, sim.UserName("alice"), "hello", nil)
	require.NoError(t, err)
	data := randomBytes(700_000, 5)
	up, err := c.Upload(ctx, sim.UserName("alice"), "photo.jpg", "image/jpeg", bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	_, err = c.SendImage(ctx, sim.UserName("alice"), up.MediaID)
	require.NoError(t, err)
	fileID := sim.InjectFile("alice", "", "notes.pdf", []byte("%PDF-1.4 notes"))
	msg := rec.waitForMessageID(t, fileID)
	f, ok := msg.Content.(*wechat.File)
	require.True(t, ok, "got %T", msg.Content)
	d, err := c.DownloadFile(ctx, msg.Raw.FromUserName, f.MediaID, f.EncryFileName)
	readAll(t, d, err)

	for _, endpoint := range []string{
		"webwxinit", "webwxstatusnotify", "webwxsync", "webwxgetcontact", "webwxbatchgetcontact",
		"webwxsendmsg", "webwxsendmsgimg", "webwxgetmedia",
	} {
		reqs := sim.Requests(endpoint)
		require.NotEmpty(t, reqs, endpoint)
		for _, r := range reqs {
			var got []string
			for _, kv := range strings.Split(r.RawQuery, "&") {
				if v, ok := strings.CutPrefix(kv, "pass_ticket="); ok {
					got = append(got, v)
				}
			}
			assert.Equal(t, []string{issued}, got, "%s carries pass_ticket once, as issued", endpoint)
		}
	}
	uploads := sim.Requests("webwxuploadmedia")
	require.Len(t, uploads, 2)
	for _, r := range uploads {
		assert.Contains(t, string(r.Body), "name=\"pass_ticket\"\r\n\r\n"+decoded+"\r\n", "the upload form carries the decoded ticket")
	}
	assert.Empty(t, sim.Violations())
}
