// Package bridge is wxbridge's bridgev2 network connector: config, QR login,
// the per-login WeChat client (NetworkAPI) and the turning of WeChat events
// into bridgev2 remote events. Message content is converted, both ways, by
// bridge/msgconv.
package bridge

import (
	"context"
	"sync"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/bridge/msgconv"
	wxdb "github.com/wxbridge/wxbridge/database"
)

// WeChatConnector is the bridgev2 network connector for WeChat.
type WeChatConnector struct {
	Bridge *bridgev2.Bridge
	Config Config
	DB     *wxdb.Database

	// roomFeatures are the chats' capabilities under the configured media
	// limit, made once in Init.
	roomFeatures *event.RoomFeatures
	// msgConv converts messages both ways, made once in Init.
	msgConv *msgconv.MessageConverter

	// metrics are counted whether or not they are served; metricsServer
	// serves them when network.metrics.enabled is set (see metrics.go).
	metrics       *metrics.Metrics
	metricsServer *metrics.Server
	// clients are the newest client of each login ID, whose bridge states
	// the metrics report.
	clientsMu sync.Mutex
	clients   map[string]*WeChatClient
	// inits hands the webwxinit of a fresh login to its client's first run.
	inits initHandoff
	// ghostInvites are the rooms ghosts were invited to as direct chats
	// (see ghostdm.go).
	ghostInvites ghostInviteRooms
}

var _ bridgev2.NetworkConnector = (*WeChatConnector)(nil)

// Init keeps the bridge and prepares our child database (no I/O).
//
// It also makes portals handle events synchronously (synchronousPortals),
// which lets the inbox delete a WeChat message only after it reached Matrix,
// and turns Go's heap profiler off (heapprofiler.go).
func (wc *WeChatConnector) Init(br *bridgev2.Bridge) {
	wc.Bridge = br
	turnOffHeapProfiler(&br.Log)
	synchronousPortals(br.Config, &br.Log)
	wc.DB = wxdb.New(br.DB.Database, br.Log.With().Str("db_section", "wechat").Logger())
	wc.roomFeatures = roomFeaturesFor(wc.Config.MediaLimit())
	wc.metrics = wc.newMetrics()
	wc.msgConv = &msgconv.MessageConverter{
		Bot:         br.Bot,
		MaxFileSize: wc.Config.MediaLimit(),
		Observer:    mediaMetrics{wc.metrics},
	}
	wc.registerCommands()
	wc.routeRoomTags()
	wc.watchGhostDMInvites()
}

// Start upgrades our tables and starts serving metrics if they are enabled.
func (wc *WeChatConnector) Start(ctx context.Context) error {
	if err := wc.DB.Upgrade(ctx); err != nil {
		return bridgev2.DBUpgradeError{Err: err, Section: "wechat"}
	}
	return wc.startMetrics()
}

// GetName describes the network. It is called before the config is loaded.
func (wc *WeChatConnector) GetName() bridgev2.BridgeName {
	return bridgev2.BridgeName{
		DisplayName:          "WeChat",
		NetworkURL:           "https://www.wechat.com",
		NetworkID:            "wechat",
		BeeperBridgeType:     "github.com/wxbridge/wxbridge",
		DefaultPort:          29350,
		DefaultCommandPrefix: "!wx",
	}
}
