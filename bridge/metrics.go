package bridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/status"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/bridge/msgconv"
	wxdb "github.com/wxbridge/wxbridge/database"
	"github.com/wxbridge/wxbridge/wechat"
)

// This file connects the bridge to its Prometheus metrics (bridge/metrics):
// the listener's life, what is read at scrape time, and how WeChat content,
// Matrix messages and errors map onto the metrics' fixed label values.

var _ bridgev2.StoppableNetwork = (*WeChatConnector)(nil)

// metricsStopTimeout bounds how long shutdown waits for scrapes in progress.
const metricsStopTimeout = 5 * time.Second

// newMetrics makes the connector's metrics, reading login states and the
// inbox at scrape time.
func (wc *WeChatConnector) newMetrics() *metrics.Metrics {
	log := wc.Bridge.Log.With().Str("component", "metrics").Logger()
	return metrics.New(metrics.Sources{
		LoginStates: wc.countLoginStates,
		Inbox: func(ctx context.Context) (int, time.Time, error) {
			st, err := wc.DB.Inbox.Stats(ctx)
			return st.Items, st.Oldest, err
		},
	}, log)
}

// startMetrics serves the metrics when network.metrics.enabled is set.
func (wc *WeChatConnector) startMetrics() error {
	if !wc.Config.Metrics.Enabled {
		return nil
	}
	log := wc.Bridge.Log.With().Str("component", "metrics").Logger()
	srv, err := metrics.Listen(wc.Config.Metrics.Listen, wc.metrics, log)
	if err != nil {
		return fmt.Errorf("network.metrics.listen: %w", err)
	}
	wc.metricsServer = srv
	return nil
}

// Stop stops the metrics listener. bridgev2 calls it at shutdown, after
// every login was disconnected and before the database is closed.
func (wc *WeChatConnector) Stop() {
	if wc.metricsServer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), metricsStopTimeout)
	defer cancel()
	if err := wc.metricsServer.Stop(ctx); err != nil {
		wc.Bridge.Log.Warn().Err(err).Msg("Metrics listener did not stop cleanly")
	}
	wc.metricsServer = nil
}

// trackClient remembers the newest client of a login, for countLoginStates.
func (wc *WeChatConnector) trackClient(c *WeChatClient) {
	wc.clientsMu.Lock()
	defer wc.clientsMu.Unlock()
	if wc.clients == nil {
		wc.clients = make(map[string]*WeChatClient)
	}
	wc.clients[c.loginID] = c
}

// countLoginStates reports the bridge state of every login bridgev2 has
// loaded. A login whose client has sent no state yet is STARTING.
func (wc *WeChatConnector) countLoginStates(count func(state string)) {
	if wc.Bridge == nil {
		return
	}
	logins := wc.Bridge.GetAllCachedUserLogins()
	wc.clientsMu.Lock()
	defer wc.clientsMu.Unlock()
	for _, login := range logins {
		state := status.StateStarting
		if c := wc.clients[string(login.ID)]; c != nil {
			state = c.bridgeState()
		}
		count(string(state))
	}
}

// bridgeState is the state the client last sent, or STARTING.
func (c *WeChatClient) bridgeState() status.BridgeStateEvent {
	if s, ok := c.state.Load().(status.BridgeStateEvent); ok {
		return s
	}
	return status.StateStarting
}

// metrics are the connector's metrics, or nil (which records nothing).
func (c *WeChatClient) metrics() *metrics.Metrics {
	if c.conn == nil {
		return nil
	}
	return c.conn.metrics
}

// callMetrics is the wechat.Observer of a login's protocol client.
type callMetrics struct{ m *metrics.Metrics }

var _ wechat.Observer = callMetrics{}

// CallDone times the sync loop's and the sends' calls and counts WeChat's
// 1205 answers.
func (o callMetrics) CallDone(endpoint string, took time.Duration, err error) {
	switch endpoint {
	case "synccheck":
		o.m.SyncCall(metrics.SyncCheck, took)
	case "webwxsync":
		o.m.SyncCall(metrics.WebWxSync, took)
	case "webwxsendmsg", "webwxsendmsgimg", "webwxsendvideomsg", "webwxsendappmsg", "webwxsendemoticon":
		o.m.SendCall(took)
	}
	if err != nil && errors.Is(err, wechat.ErrTooFrequent) {
		o.m.Failure(metrics.RateLimited)
	}
}

// mediaMetrics is the msgconv.Observer of the connector's converter.
type mediaMetrics struct{ m *metrics.Metrics }

var _ msgconv.Observer = mediaMetrics{}

// MediaDownloaded counts the bytes of an attachment from WeChat.
func (o mediaMetrics) MediaDownloaded(size int) {
	o.m.MediaBytes(metrics.ToMatrix, size)
}

// MediaUploaded counts the bytes of an attachment sent to WeChat.
func (o mediaMetrics) MediaUploaded(size int) {
	o.m.MediaBytes(metrics.ToWeChat, size)
}

// MediaTooLarge counts an attachment from WeChat above max_media_size.
func (o mediaMetrics) MediaTooLarge() {
	o.m.Failure(metrics.TooLarge)
}

// MediaUnavailable counts an attachment WeChat would not give, unless the
// session was lost: markLoggedOut counts that once.
func (o mediaMetrics) MediaUnavailable(err error) {
	if !errors.Is(err, wechat.ErrLoggedOut) {
		o.m.Failure(metrics.OtherReason)
	}
}

// wechatKind is the metrics kind of a WeChat message.
func wechatKind(c wechat.Content) metrics.Kind {
	switch c.(type) {
	case *wechat.Text, *wechat.Quote:
		return metrics.KindText
	case *wechat.Image:
		return metrics.KindImage
	case *wechat.Emoticon:
		return metrics.KindSticker
	case *wechat.Voice:
		return metrics.KindVoice
	case *wechat.Video:
		return metrics.KindVideo
	case *wechat.File:
		return metrics.KindFile
	case *wechat.Location:
		return metrics.KindLocation
	case *wechat.Link, *wechat.Articles:
		return metrics.KindLink
	case *wechat.System, *wechat.SysNotice:
		return metrics.KindSystem
	case *wechat.Recall:
		return metrics.KindRecall
	case *wechat.StatusNotify:
		return metrics.KindStatus
	case *wechat.FriendRequest:
		return metrics.KindFriendRequest
	}
	return metrics.KindOther
}

// matrixKind is the metrics kind of a Matrix message sent to WeChat.
func matrixKind(msg *bridgev2.MatrixMessage) metrics.Kind {
	if msg.Event != nil && msg.Event.Type == event.EventSticker {
		return metrics.KindSticker
	}
	switch msg.Content.MsgType {
	case event.MsgText, event.MsgNotice, event.MsgEmote:
		return metrics.KindText
	case event.MsgImage:
		return metrics.KindImage
	case event.CapMsgSticker:
		return metrics.KindSticker
	case event.MsgVideo:
		return metrics.KindVideo
	case event.MsgFile:
		return metrics.KindFile
	case event.MsgAudio:
		return metrics.KindAudio
	case event.MsgLocation:
		return metrics.KindLocation
	}
	return metrics.KindOther
}

// countInbound counts what became of a WeChat message's attempt: bridged
// (ok, or skipped when nothing was sent on purpose) or failed. A failure
// while the bridge is stopping is not counted.
func (c *WeChatClient) countInbound(ctx context.Context, kind metrics.Kind, sent bool, err error) {
	m := c.metrics()
	switch {
	case err == nil && !sent && kind != metrics.KindFriendRequest:
		m.Message(metrics.ToMatrix, kind, metrics.Skipped)
	case err == nil:
		m.Message(metrics.ToMatrix, kind, metrics.OK)
	case ctx.Err() == nil:
		m.Message(metrics.ToMatrix, kind, metrics.Failed)
		if reason, ok := inboundReason(err); ok {
			m.Failure(reason)
		}
	}
}

// inboundReason is the cause of a failed WeChat → Matrix attempt. A lost
// session is not counted again: markLoggedOut counts it once.
func inboundReason(err error) (metrics.Reason, bool) {
	var httpErr mautrix.HTTPError
	switch {
	case errors.As(err, &httpErr):
		return metrics.Homeserver, true
	case errors.Is(err, wechat.ErrLoggedOut), errors.Is(err, bridgev2.ErrNotLoggedIn):
		return 0, false
	}
	return metrics.OtherReason, true
}

// countOutbound counts a Matrix message sent to WeChat, by what
// HandleMatrixMessage returned.
func (c *WeChatClient) countOutbound(msg *bridgev2.MatrixMessage, err error) {
	outcome, reason, hasReason := outboundOutcome(err)
	m := c.metrics()
	m.Message(metrics.ToWeChat, matrixKind(msg), outcome)
	if hasReason {
		m.Failure(reason)
	}
}

// outboundOutcome classifies the result of a send to WeChat. Rate limits
// are counted by callMetrics (each 1205 answer) and lost sessions by
// markLoggedOut, so they give no reason here.
func outboundOutcome(err error) (metrics.Outcome, metrics.Reason, bool) {
	switch {
	case err == nil:
		return metrics.OK, 0, false
	case errors.Is(err, bridgev2.ErrMediaTooLarge):
		return metrics.Rejected, metrics.TooLarge, true
	case errors.Is(err, msgconv.ErrMediaNotSupported), errors.Is(err, msgconv.ErrEmptyMessage), errors.Is(err, ErrChatNotInSession),
		errors.Is(err, msgconv.ErrNoAttachment), errors.Is(err, msgconv.ErrInvalidLocation):
		return metrics.Rejected, 0, false
	case errors.Is(err, msgconv.ErrMatrixDownload):
		return metrics.Failed, metrics.Homeserver, true
	case errors.Is(err, wechat.ErrTooFrequent), errors.Is(err, wechat.ErrLoggedOut), errors.Is(err, bridgev2.ErrNotLoggedIn):
		return metrics.Failed, 0, false
	}
	return metrics.Failed, metrics.OtherReason, true
}

// countResolution counts how the identity layer mapped each UserName.
func (c *WeChatClient) countResolution(res *wxdb.Resolution) {
	if res == nil {
		return
	}
	m := c.metrics()
	for i := range res.Contacts {
		m.Identities(identityOutcome(&res.Contacts[i]), 1)
	}
}

// identityOutcome is the metrics outcome of one resolved UserName.
func identityOutcome(r *wxdb.Resolved) metrics.IdentityOutcome {
	if len(r.Ambiguities) > 0 {
		return metrics.IdentityAmbiguous
	}
	switch r.Method {
	case wxdb.MatchSameUserName:
		return metrics.IdentitySameUserName
	case wxdb.MatchAlias:
		return metrics.IdentityAlias
	case wxdb.MatchRemark:
		return metrics.IdentityRemark
	case wxdb.MatchProfile:
		return metrics.IdentityProfile
	case wxdb.MatchGroupMembers:
		return metrics.IdentityGroupMembers
	case wxdb.MatchGroupName:
		return metrics.IdentityGroupName
	}
	return metrics.IdentityNew
}
