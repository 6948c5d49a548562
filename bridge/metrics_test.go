package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/status"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/bridge/msgconv"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// newMetricsClient is a client whose connector counts into fresh metrics.
func newMetricsClient(t *testing.T) (*WeChatClient, *metrics.Metrics) {
	t.Helper()
	m := metrics.New(metrics.Sources{}, zerolog.Nop())
	return &WeChatClient{conn: &WeChatConnector{metrics: m}}, m
}

// series reads one series of a metric by its labels (name → value), 0 when
// the series does not exist; for a histogram, its count.
func series(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue next
				}
			}
			switch {
			case s.GetCounter() != nil:
				return s.GetCounter().GetValue()
			case s.GetGauge() != nil:
				return s.GetGauge().GetValue()
			case s.GetHistogram() != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

func messages(t *testing.T, m *metrics.Metrics, dir, kind, outcome string) float64 {
	t.Helper()
	return series(t, m.Registry(), "wxbridge_messages_total", map[string]string{"direction": dir, "kind": kind, "outcome": outcome})
}

func failures(t *testing.T, m *metrics.Metrics, reason string) float64 {
	t.Helper()
	return series(t, m.Registry(), "wxbridge_failures_total", map[string]string{"reason": reason})
}

func TestWeChatKind(t *testing.T) {
	tests := []struct {
		content wechat.Content
		want    string
	}{
		{&wechat.Text{}, "text"},
		{&wechat.Quote{}, "text"},
		{&wechat.Image{}, "image"},
		{&wechat.Emoticon{}, "sticker"},
		{&wechat.Voice{}, "voice"},
		{&wechat.Video{}, "video"},
		{&wechat.File{}, "file"},
		{&wechat.Location{}, "location"},
		{&wechat.Link{}, "link"},
		{&wechat.Articles{}, "link"},
		{&wechat.System{}, "system"},
		{&wechat.SysNotice{}, "system"},
		{&wechat.Recall{}, "recall"},
		{&wechat.StatusNotify{}, "status"},
		{&wechat.FriendRequest{}, "friend_request"},
		{&wechat.RedPacket{}, "other"},
		{&wechat.Transfer{}, "other"},
		{&wechat.RealtimeLocation{}, "other"},
		{&wechat.Card{}, "other"},
		{&wechat.Call{}, "other"},
		{&wechat.Unsupported{}, "other"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.content), func(t *testing.T) {
			assert.Equal(t, tt.want, wechatKind(tt.content).String())
		})
	}
}

func TestMatrixKind(t *testing.T) {
	tests := []struct {
		name    string
		evtType event.Type
		msgType event.MessageType
		want    string
	}{
		{"text", event.EventMessage, event.MsgText, "text"},
		{"notice", event.EventMessage, event.MsgNotice, "text"},
		{"emote", event.EventMessage, event.MsgEmote, "text"},
		{"image", event.EventMessage, event.MsgImage, "image"},
		{"sticker event", event.EventSticker, "", "sticker"},
		{"video", event.EventMessage, event.MsgVideo, "video"},
		{"file", event.EventMessage, event.MsgFile, "file"},
		{"audio", event.EventMessage, event.MsgAudio, "audio"},
		{"location", event.EventMessage, event.MsgLocation, "location"},
		{"unknown msgtype", event.EventMessage, "org.example.poll", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := &bridgev2.MatrixMessage{MatrixEventBase: bridgev2.MatrixEventBase[*event.MessageEventContent]{
				Event:   &event.Event{Type: tt.evtType},
				Content: &event.MessageEventContent{MsgType: tt.msgType},
			}}
			assert.Equal(t, tt.want, matrixKind(msg).String())
		})
	}
}

// TestOutboundCounting: a Matrix message counts once, with its outcome,
// and a failure counts under its cause unless the cause is counted where
// it happens (1205 answers, session losses).
func TestOutboundCounting(t *testing.T) {
	tooFrequent := &wechat.RetError{Endpoint: "webwxsendmsg", Ret: wechat.RetTooFrequent}
	loggedOut := &wechat.RetError{Endpoint: "webwxsendmsg", Ret: wechat.RetSessionInvalid}
	tests := []struct {
		name        string
		err         error
		wantOutcome string
		wantReason  string
	}{
		{"sent", nil, "ok", ""},
		{"rate limited after the retries", msgconv.SendError(tooFrequent), "failed", ""},
		{"session ended", msgconv.SendError(loggedOut), "failed", ""},
		{"not logged in", bridgev2.ErrNotLoggedIn, "failed", ""},
		// Above the limit by the size the event declares, and once
		// downloaded (msgconv's planSend): the converter returns the same
		// status for both.
		{"too large by its info", msgconv.TooLarge(200<<20, 100<<20), "rejected", "too_large"},
		{"too large once downloaded", msgconv.TooLarge(200<<20, 100<<20), "rejected", "too_large"},
		{"unsupported kind", msgconv.ErrMediaNotSupported, "rejected", ""},
		{"empty text", msgconv.ErrEmptyMessage, "rejected", ""},
		{"chat gone", ErrChatNotInSession, "rejected", ""},
		{"no attachment", msgconv.ErrNoAttachment, "rejected", ""},
		{"bad location", fmt.Errorf("%w: %w", msgconv.ErrInvalidLocation, errors.New("no geo")), "rejected", ""},
		{"homeserver download failed", fmt.Errorf("%w: %w", msgconv.ErrMatrixDownload, mautrix.HTTPError{Message: "connection refused"}), "failed", "homeserver"},
		{"WeChat answered HTTP 500", msgconv.SendError(&wechat.HTTPError{Endpoint: "webwxsendmsg", Status: 500}), "failed", "other"},
		{"timed out", msgconv.SendError(context.DeadlineExceeded), "failed", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMetricsClient(t)
			msg := &bridgev2.MatrixMessage{MatrixEventBase: bridgev2.MatrixEventBase[*event.MessageEventContent]{
				Event: &event.Event{Type: event.EventMessage}, Content: &event.MessageEventContent{MsgType: event.MsgImage},
			}}
			c.countOutbound(msg, tt.err)
			assert.Equal(t, 1.0, messages(t, m, "matrix_to_wechat", "image", tt.wantOutcome))
			total := 0.0
			for _, r := range []string{"rate_limited", "session_lost", "homeserver", "too_large", "other"} {
				got := failures(t, m, r)
				total += got
				if r == tt.wantReason {
					assert.Equal(t, 1.0, got, r)
				}
			}
			if tt.wantReason == "" {
				assert.Zero(t, total, "no failure counted")
			} else {
				assert.Equal(t, 1.0, total, "one failure counted")
			}
		})
	}
}

// TestInboundCounting: each attempt to bridge a WeChat message counts once.
func TestInboundCounting(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		kind        metrics.Kind
		sent        bool
		err         error
		wantOutcome string
		wantReason  string
	}{
		{"text bridged", context.Background(), metrics.KindText, true, nil, "ok", ""},
		{"system notice not bridged", context.Background(), metrics.KindSystem, false, nil, "skipped", ""},
		{"friend request to the management room", context.Background(), metrics.KindFriendRequest, false, nil, "ok", ""},
		{"homeserver refused", context.Background(), metrics.KindImage, true,
			fmt.Errorf("failed to send: %w", mautrix.HTTPError{Message: "HTTP 500"}), "failed", "homeserver"},
		{"session gone meanwhile", context.Background(), metrics.KindVoice, false, bridgev2.ErrNotLoggedIn, "failed", ""},
		{"database trouble", context.Background(), metrics.KindText, false, errors.New("database is locked"), "failed", "other"},
		{"stopping", canceled, metrics.KindText, true, context.Canceled, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMetricsClient(t)
			c.countInbound(tt.ctx, tt.kind, tt.sent, tt.err)
			total := 0.0
			for _, o := range []string{"ok", "failed", "skipped", "dropped"} {
				got := messages(t, m, "wechat_to_matrix", tt.kind.String(), o)
				total += got
				if o == tt.wantOutcome {
					assert.Equal(t, 1.0, got, o)
				}
			}
			if tt.wantOutcome == "" {
				assert.Zero(t, total, "a stopping bridge counts nothing")
			}
			for _, r := range []string{"homeserver", "other", "session_lost"} {
				want := 0.0
				if r == tt.wantReason {
					want = 1
				}
				assert.Equal(t, want, failures(t, m, r), r)
			}
		})
	}
}

func TestCallMetrics(t *testing.T) {
	tests := []struct {
		name        string
		endpoint    string
		err         error
		wantSync    map[string]float64
		wantSends   float64
		wantLimited float64
	}{
		{"idle synccheck", "synccheck", nil, map[string]float64{"synccheck": 1}, 0, 0},
		{"synccheck too frequent", "synccheck", &wechat.RetError{Endpoint: "synccheck", Ret: wechat.RetTooFrequent},
			map[string]float64{"synccheck": 1}, 0, 1},
		{"webwxsync", "webwxsync", nil, map[string]float64{"webwxsync": 1}, 0, 0},
		{"text sent", "webwxsendmsg", nil, nil, 1, 0},
		{"send refused as too frequent", "webwxsendmsg", &wechat.RetError{Endpoint: "webwxsendmsg", Ret: wechat.RetTooFrequent}, nil, 1, 1},
		{"image", "webwxsendmsgimg", nil, nil, 1, 0},
		{"video", "webwxsendvideomsg", nil, nil, 1, 0},
		{"file", "webwxsendappmsg", nil, nil, 1, 0},
		{"sticker", "webwxsendemoticon", nil, nil, 1, 0},
		{"contacts are not timed", "webwxbatchgetcontact", nil, nil, 0, 0},
		{"session end is not a rate limit", "webwxsync", &wechat.RetError{Endpoint: "webwxsync", Ret: wechat.RetSessionNotExist},
			map[string]float64{"webwxsync": 1}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New(metrics.Sources{}, zerolog.Nop())
			callMetrics{m}.CallDone(tt.endpoint, 300*time.Millisecond, tt.err)
			for _, ep := range []string{"synccheck", "webwxsync"} {
				assert.Equal(t, tt.wantSync[ep], series(t, m.Registry(), "wxbridge_wechat_sync_duration_seconds", map[string]string{"endpoint": ep}), ep)
			}
			assert.Equal(t, tt.wantSends, series(t, m.Registry(), "wxbridge_wechat_send_duration_seconds", nil))
			assert.Equal(t, tt.wantLimited, failures(t, m, "rate_limited"))
		})
	}
}

func TestIdentityOutcome(t *testing.T) {
	tests := []struct {
		resolved wxdb.Resolved
		want     string
	}{
		{wxdb.Resolved{Method: wxdb.MatchSameUserName}, "same-username"},
		{wxdb.Resolved{Method: wxdb.MatchAlias}, "alias"},
		{wxdb.Resolved{Method: wxdb.MatchRemark}, "remark"},
		{wxdb.Resolved{Method: wxdb.MatchProfile}, "profile"},
		{wxdb.Resolved{Method: wxdb.MatchGroupMembers}, "group-members"},
		{wxdb.Resolved{Method: wxdb.MatchGroupName}, "group-name"},
		{wxdb.Resolved{Method: wxdb.MatchNew}, "new"},
		{wxdb.Resolved{Method: wxdb.MatchNew, Ambiguities: []wxdb.Ambiguity{{Method: wxdb.MatchRemark}}}, "ambiguous"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := identityOutcome(&tt.resolved).String()
			assert.Equal(t, tt.want, got)
			if tt.want != "ambiguous" {
				assert.Equal(t, string(tt.resolved.Method), got, "the label is the method's own name")
			}
		})
	}
}

func TestCountResolution(t *testing.T) {
	c, m := newMetricsClient(t)
	c.countResolution(&wxdb.Resolution{Contacts: []wxdb.Resolved{
		{Method: wxdb.MatchSameUserName}, {Method: wxdb.MatchSameUserName}, {Method: wxdb.MatchAlias},
		{Method: wxdb.MatchNew}, {Method: wxdb.MatchNew, Ambiguities: []wxdb.Ambiguity{{Method: wxdb.MatchProfile}}},
	}})
	c.countResolution(nil)
	want := map[string]float64{"same-username": 2, "alias": 1, "new": 1, "ambiguous": 1, "remark": 0}
	for outcome, n := range want {
		assert.Equal(t, n, series(t, m.Registry(), "wxbridge_identity_resolutions_total", map[string]string{"outcome": outcome}), outcome)
	}
}

// freeAddr is a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func scrape(t *testing.T, addr string) (string, error) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(body), nil
}

// TestConnectorMetricsListener: off by default; when enabled, Start serves
// the logins and the inbox as they are, Stop frees the port, and a port in
// use stops the start with an error that says what to do.
func TestConnectorMetricsListener(t *testing.T) {
	t.Run("off by default", func(t *testing.T) {
		tb := newTestBridge(t)
		require.NoError(t, tb.wc.Start(t.Context()))
		assert.Nil(t, tb.wc.metricsServer)
		tb.wc.Stop()
	})

	t.Run("enabled", func(t *testing.T) {
		tb := newTestBridge(t)
		addr := freeAddr(t)
		tb.wc.Config.Metrics = MetricsConfig{Enabled: true, Listen: addr}
		require.NoError(t, tb.wc.Start(t.Context()))

		login, err := tb.br.GetExistingUserLoginByID(t.Context(), testLoginID)
		require.NoError(t, err)
		body, err := scrape(t, addr)
		require.NoError(t, err)
		assert.Contains(t, body, `wxbridge_logins{state="STARTING"} 1`, "a login that sent no state yet")
		assert.Contains(t, body, `wxbridge_inbox_items 0`)
		assert.Regexp(t, `\nwxbridge_sqlite_memory_bytes [1-9]`, body, "SQLite's memory, from the SQLite linked into the bridge")
		assert.Regexp(t, `\nwxbridge_c_heap_bytes\{state="in_use"\} [1-9]`, body)

		c := login.Client.(*WeChatClient)
		c.state.Store(status.StateConnected)
		require.NoError(t, tb.wc.DB.Inbox.StoreBatch(t.Context(), testLoginID, nil, []wxdb.InboxItem{{MsgID: 1, Payload: []byte(`{}`)}}))
		body, err = scrape(t, addr)
		require.NoError(t, err)
		assert.Contains(t, body, `wxbridge_logins{state="CONNECTED"} 1`)
		assert.Contains(t, body, `wxbridge_logins{state="STARTING"} 0`)
		assert.Contains(t, body, `wxbridge_inbox_items 1`)

		tb.wc.Stop()
		_, err = scrape(t, addr)
		assert.Error(t, err, "nothing listens after Stop")
	})

	t.Run("port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		tb := newTestBridge(t)
		tb.wc.Config.Metrics = MetricsConfig{Enabled: true, Listen: ln.Addr().String()}
		err = tb.wc.Start(t.Context())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "network.metrics.listen: "+ln.Addr().String()+" is already in use")
		assert.Contains(t, err.Error(), "choose another address")
		assert.Nil(t, tb.wc.metricsServer)
	})
}
