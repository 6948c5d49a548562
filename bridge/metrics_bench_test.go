package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/wechat"
)

// BenchmarkMessageMetrics is what the metrics add to the bridging of one
// message, each way: classifying it and counting it, plus for a send the
// observer's timing of the call to WeChat. "without" runs the same code
// with no metrics (a nil *Metrics) for comparison.
func BenchmarkMessageMetrics(b *testing.B) {
	ctx := context.Background()
	text := &wechat.Text{Text: "hello"}
	msg := &bridgev2.MatrixMessage{MatrixEventBase: bridgev2.MatrixEventBase[*event.MessageEventContent]{
		Event: &event.Event{Type: event.EventMessage}, Content: &event.MessageEventContent{MsgType: event.MsgText, Body: "hello"},
	}}
	for _, tc := range []struct {
		name string
		m    *metrics.Metrics
	}{
		{"without", nil},
		{"with", metrics.New(metrics.Sources{}, zerolog.Nop())},
	} {
		c := &WeChatClient{conn: &WeChatConnector{metrics: tc.m}}
		obs := callMetrics{tc.m}
		b.Run("wechat_to_matrix/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.countInbound(ctx, wechatKind(text), true, nil)
			}
		})
		b.Run("matrix_to_wechat/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				obs.CallDone("webwxsendmsg", 80*time.Millisecond, nil)
				c.countOutbound(msg, nil)
			}
		})
		b.Run("sync_round/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				obs.CallDone("synccheck", 25*time.Second, nil)
				obs.CallDone("webwxsync", 90*time.Millisecond, nil)
			}
		})
	}
}

// BenchmarkMessageMetricsParallel counts inbound messages from the drain's
// lanes at once, as the bridge does.
func BenchmarkMessageMetricsParallel(b *testing.B) {
	c := &WeChatClient{conn: &WeChatConnector{metrics: metrics.New(metrics.Sources{}, zerolog.Nop())}}
	text := &wechat.Text{Text: "hello"}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.countInbound(ctx, wechatKind(text), true, nil)
		}
	})
}
