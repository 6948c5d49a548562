package bridge

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/wxbridge/wxbridge/wechat"
)

// maxAvatarSize bounds an avatar download; WeChat's are a few dozen KiB.
const maxAvatarSize = 5 << 20

// avatarOf describes the avatar of a contact or group record, or nil when
// the record has no way to fetch one.
//
// The avatar ID is the seq parameter of HeadImgUrl, which WeChat changes
// when the picture changes. It is not a promise across logins: when it
// differs, bridgev2 downloads the picture again and keeps the old upload if
// the bytes are the same, so a new session costs downloads, not new media.
func (c *WeChatClient) avatarOf(ct *wechat.Contact) *bridgev2.Avatar {
	switch {
	case ct.HeadImgUrl != "":
		headImg := ct.HeadImgUrl
		return &bridgev2.Avatar{
			ID: avatarID(headImg),
			Get: func(ctx context.Context) ([]byte, error) {
				return c.downloadAvatar(ctx, func(wx *wechat.Client) (*wechat.Download, error) {
					return wx.DownloadHeadImg(ctx, headImg)
				})
			},
		}
	case ct.EncryChatRoomId != "" && !wechat.IsGroupUserName(ct.UserName):
		// A group member who is not a contact, known only from a group's
		// member list: fetched through that group, whose EncryChatRoomId
		// the record carries (contactByPUID, groupInfo), as the web client
		// does.
		userName, room := ct.UserName, ct.EncryChatRoomId
		return &bridgev2.Avatar{
			ID: "member",
			Get: func(ctx context.Context) ([]byte, error) {
				return c.downloadAvatar(ctx, func(wx *wechat.Client) (*wechat.Download, error) {
					return wx.DownloadAvatar(ctx, userName, room)
				})
			},
		}
	}
	return nil
}

func avatarID(headImgURL string) networkid.AvatarID {
	if u, err := url.Parse(headImgURL); err == nil {
		if seq := u.Query().Get("seq"); seq != "" && seq != "0" {
			return networkid.AvatarID("seq:" + seq)
		}
	}
	return "head"
}

// downloadAvatar runs one avatar download with the current session and
// reads it whole, refusing anything larger than maxAvatarSize.
func (c *WeChatClient) downloadAvatar(ctx context.Context, fetch func(*wechat.Client) (*wechat.Download, error)) ([]byte, error) {
	wx := c.currentWX()
	if wx == nil {
		return nil, errNotConnected
	}
	d, err := fetch(wx)
	if err != nil {
		return nil, fmt.Errorf("downloading avatar: %w", err)
	}
	defer d.Close()
	data, err := io.ReadAll(io.LimitReader(d, maxAvatarSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading avatar: %w", err)
	} else if len(data) > maxAvatarSize {
		return nil, fmt.Errorf("avatar is larger than %d bytes", maxAvatarSize)
	} else if len(data) == 0 {
		return nil, fmt.Errorf("WeChat sent an empty avatar")
	}
	return data, nil
}
