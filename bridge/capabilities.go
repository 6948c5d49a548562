package bridge

import (
	"context"
	"fmt"

	"go.mau.fi/util/jsontime"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// GetCapabilities returns the connector-wide capabilities.
//
// AggressiveUpdateInfo makes bridgev2 ask GetUserInfo for the sender of
// every message (a roster look-up; an avatar whose ID did not change is not
// downloaded again). The bridge relies on it for the avatars of group
// members who are not contacts: their ghosts are made without one, and it
// is fetched when they first write (see contactInfo).
func (wc *WeChatConnector) GetCapabilities() *bridgev2.NetworkGeneralCapabilities {
	return &bridgev2.NetworkGeneralCapabilities{
		AggressiveUpdateInfo: true,
		// Group creation (bridge/groupcreate.go).
		Provisioning: bridgev2.ProvisioningCapabilities{GroupCreation: groupCreation},
	}
}

// GetBridgeInfoVersion versions m.bridge and the room features; bump them when
// either changes so that bridgev2 resends them to every room.
func (wc *WeChatConnector) GetBridgeInfoVersion() (info, capabilities int) {
	return 1, 3
}

// maxTextLength bounds the text of a message and of a media caption.
const maxTextLength = 8000

// maxFileSize is the default file limit (max_media_size): puppet-wechat
// enforces 100 MB, and it is wechat.Config's default MaxMediaSize. (The
// official web client's 50 MB file check is commented out.)
const maxFileSize = defaultMaxMediaSize

// roomFeatures is what every WeChat chat supports: text, media (see
// msgconv's planSend for what each kind becomes) and locations as text with
// a map link. The ID names this set; change it whenever the set changes,
// since bridgev2 only resends room features whose ID changed.
var roomFeatures = &event.RoomFeatures{
	ID: roomFeaturesID,
	Formatting: event.FormattingFeatureMap{
		event.FmtBold:          event.CapLevelDropped,
		event.FmtItalic:        event.CapLevelDropped,
		event.FmtStrikethrough: event.CapLevelDropped,
		event.FmtInlineCode:    event.CapLevelDropped,
		event.FmtCodeBlock:     event.CapLevelDropped,
		event.FmtUserLink:      event.CapLevelDropped,
	},
	File: event.FileFeatureMap{
		event.MsgImage: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"image/jpeg": event.CapLevelFullySupported,
			"image/png":  event.CapLevelFullySupported,
			"image/bmp":  event.CapLevelFullySupported,
			"image/gif":  event.CapLevelPartialSupport, // as a sticker, so it animates
			"*/*":        event.CapLevelPartialSupport, // WebP and others as a file
		}),
		event.MsgVideo: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"video/mp4": event.CapLevelFullySupported,
			"*/*":       event.CapLevelPartialSupport, // as a file
		}),
		event.MsgFile: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"*/*": event.CapLevelFullySupported,
		}),
		// Web WeChat cannot send voice: audio and voice messages go as files.
		event.MsgAudio: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"*/*": event.CapLevelPartialSupport,
		}),
		event.CapMsgVoice: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"*/*": event.CapLevelPartialSupport,
		}),
		// A sticker's body is its description, not a caption: it is dropped.
		event.CapMsgSticker: mediaFeatures(event.CapLevelDropped, map[string]event.CapabilitySupportLevel{
			"image/gif":  event.CapLevelFullySupported,
			"image/jpeg": event.CapLevelPartialSupport, // as an image
			"image/png":  event.CapLevelPartialSupport,
			"image/bmp":  event.CapLevelPartialSupport,
			"*/*":        event.CapLevelPartialSupport, // as a file
		}),
		event.CapMsgGIF: mediaFeatures(event.CapLevelPartialSupport, map[string]event.CapabilitySupportLevel{
			"image/gif": event.CapLevelFullySupported,
			"video/mp4": event.CapLevelPartialSupport, // as a video that does not loop
			"*/*":       event.CapLevelPartialSupport, // as a file
		}),
	},
	MaxTextLength:   maxTextLength,
	LocationMessage: event.CapLevelPartialSupport, // as text with a map link
	// Replies go as the flattened quote the phone shows (see msgconv's
	// quotePrefix).
	Reply:    event.CapLevelPartialSupport,
	Poll:     event.CapLevelRejected,
	Edit:     event.CapLevelRejected,
	Reaction: event.CapLevelRejected,
	// Recalls: own messages sent from Matrix, within WeChat's window.
	Delete:       event.CapLevelFullySupported,
	DeleteMaxAge: ptrTo(jsontime.S(wechat.RevokeWindow)),
	ReadReceipts: true,
}

// mediaFeatures describes one kind of attachment. Captions are sent as a
// separate text message after the media. MaxSize is the file limit for
// every kind, because what is too large to go its usual way goes as a file.
func mediaFeatures(caption event.CapabilitySupportLevel, mimeTypes map[string]event.CapabilitySupportLevel) *event.FileFeatures {
	return &event.FileFeatures{
		MimeTypes:        mimeTypes,
		Caption:          caption,
		MaxCaptionLength: maxTextLength,
		MaxSize:          maxFileSize,
	}
}

// roomFeaturesID names the feature set of the default media limit.
const roomFeaturesID = "io.github.wxbridge.capabilities.v2"

// roomFeaturesFor is roomFeatures with every file limit set to the
// configured network.max_media_size. A limit other than the default gets
// its own ID, since bridgev2 resends room features only when the ID changes.
func roomFeaturesFor(limit int64) *event.RoomFeatures {
	if limit == maxFileSize {
		return roomFeatures
	}
	f := roomFeatures.Clone()
	f.ID = fmt.Sprintf("%s.max%d", roomFeaturesID, limit)
	for _, ff := range f.File {
		ff.MaxSize = limit
	}
	return f
}

// GetCapabilities returns what a chat supports.
func (c *WeChatClient) GetCapabilities(ctx context.Context, portal *bridgev2.Portal) *event.RoomFeatures {
	return c.conn.roomFeatures
}
