package msgconv

import (
	"context"
	"io"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat"
)

// MessageConverter converts whole messages between WeChat and Matrix,
// attachments included. The connector makes one; what a conversion needs of
// the login a message belongs to comes with each call, as a Client.
type MessageConverter struct {
	// Bot is the bridge bot: it downloads attachments from Matrix, and
	// tells the sender when a caption did not reach WeChat.
	Bot bridgev2.MatrixAPI
	// MaxFileSize is network.max_media_size: the largest attachment
	// bridged either way, in bytes.
	MaxFileSize int64
	// Observer, when set, is told what became of attachments.
	Observer Observer
}

// Client is what the converter needs of the login a message belongs to:
// its WeChat session, and what the session knows of people and of the
// messages bridged before. The bridge implements it over a session's
// protocol client and contacts; msgconv reaches the bridge through nothing
// else.
type Client interface {
	WeChat
	// MentionTarget is the Matrix user an "@name" in a group message
	// refers to (see MemberNamed): the logged-in user, or a member's ghost.
	MentionTarget(ctx context.Context, group, name string) (MentionTarget, bool)
	// MentionedMember is the member of a group a Matrix user mentioned in a
	// message to it is (see MentionName), if they are one.
	MentionedMember(group string, userID id.UserID) (MentionedMember, bool)
	// Author is who wrote a bridged message as the session knows them:
	// their contact record and, when the message is in a group, their entry
	// in its member list. Either is nil when unknown.
	Author(msg *database.Message) (*wechat.Contact, *wechat.Member)
	// RecentMessages are the latest n bridged messages of a portal, newest
	// first.
	RecentMessages(ctx context.Context, portal networkid.PortalKey, n int) ([]*database.Message, error)
}

// WeChat is what the converter calls of a session's protocol client;
// *wechat.Client implements it.
type WeChat interface {
	DownloadImage(ctx context.Context, msgID string, size wechat.ImageSize) (*wechat.Download, error)
	DownloadVoice(ctx context.Context, msgID string) (*wechat.Download, error)
	DownloadVideo(ctx context.Context, msgID string) (*wechat.Download, error)
	DownloadFile(ctx context.Context, sender, mediaID, encryFileName string) (*wechat.Download, error)
	Upload(ctx context.Context, to, name, mime string, r io.ReaderAt, size int64) (*wechat.UploadResult, error)
	SendText(ctx context.Context, to, text string, mentions []string) (*wechat.SendResult, error)
	SendImage(ctx context.Context, to, mediaID string) (*wechat.SendResult, error)
	SendVideo(ctx context.Context, to, mediaID string) (*wechat.SendResult, error)
	SendFile(ctx context.Context, to string, up *wechat.UploadResult) (*wechat.SendResult, error)
	SendEmoticon(ctx context.Context, to, md5, mediaID string) (*wechat.SendResult, error)
}

// Observer is told what became of attachments, for the bridge's metrics.
type Observer interface {
	// MediaDownloaded is told the size of every attachment, and of every
	// video poster, downloaded from WeChat.
	MediaDownloaded(size int)
	// MediaUploaded is told the size of every attachment uploaded to
	// WeChat.
	MediaUploaded(size int)
	// MediaTooLarge is told of an attachment from WeChat above
	// MaxFileSize, which became a notice.
	MediaTooLarge()
	// MediaUnavailable is told of an attachment from WeChat that could not
	// be downloaded and became a notice; err is the last attempt's error.
	MediaUnavailable(err error)
}

// observer is the Observer, or one that ignores everything.
func (mc *MessageConverter) observer() Observer {
	if mc.Observer == nil {
		return noObserver{}
	}
	return mc.Observer
}

type noObserver struct{}

func (noObserver) MediaDownloaded(int)    {}
func (noObserver) MediaUploaded(int)      {}
func (noObserver) MediaTooLarge()         {}
func (noObserver) MediaUnavailable(error) {}
