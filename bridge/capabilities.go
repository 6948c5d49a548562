package bridge

import (
	"context"

	"go.mau.fi/util/jsontime"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// GetCapabilities returns the connector-wide capabilities.
func (wc *WeChatConnector) GetCapabilities() *bridgev2.NetworkGeneralCapabilities {
	return &bridgev2.NetworkGeneralCapabilities{}
}

// GetBridgeInfoVersion versions m.bridge and the room features; bump them when
// either changes so that bridgev2 resends them to every room.
func (wc *WeChatConnector) GetBridgeInfoVersion() (info, capabilities int) {
	return 1, 2
}

// roomFeatures is what every WeChat chat supports for now: plain text.
var roomFeatures = &event.RoomFeatures{
	ID: "io.github.wxbridge.capabilities.v1",
	Formatting: event.FormattingFeatureMap{
		event.FmtBold:          event.CapLevelDropped,
		event.FmtItalic:        event.CapLevelDropped,
		event.FmtStrikethrough: event.CapLevelDropped,
		event.FmtInlineCode:    event.CapLevelDropped,
		event.FmtCodeBlock:     event.CapLevelDropped,
		event.FmtUserLink:      event.CapLevelDropped,
	},
	MaxTextLength: 8000,
	// Recalls: own messages sent from Matrix, within WeChat's window.
	Delete:       event.CapLevelFullySupported,
	DeleteMaxAge: ptrTo(jsontime.S(wechat.RevokeWindow)),
	ReadReceipts: true,
}

// GetCapabilities returns what a chat supports.
func (c *WeChatClient) GetCapabilities(ctx context.Context, portal *bridgev2.Portal) *event.RoomFeatures {
	return roomFeatures
}
