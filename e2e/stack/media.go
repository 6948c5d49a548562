package stack

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// UploadMedia uploads a file to the homeserver's media repository and
// returns its mxc:// URI, for an attachment the user sends.
func (u *User) UploadMedia(ctx context.Context, data []byte, mimeType, name string) (id.ContentURIString, error) {
	resp, err := u.Client.UploadBytesWithName(ctx, data, mimeType, name)
	if err != nil {
		return "", fmt.Errorf("%s uploading %q: %w", u.ID, name, err)
	}
	return resp.ContentURI.CUString(), nil
}

// SendSticker sends an m.sticker event (content without a msgtype).
func (u *User) SendSticker(ctx context.Context, roomID id.RoomID, content *event.MessageEventContent) (id.EventID, error) {
	resp, err := u.Client.SendMessageEvent(ctx, roomID, event.EventSticker, content)
	if err != nil {
		return "", fmt.Errorf("%s sending a sticker to %s: %w", u.ID, roomID, err)
	}
	return resp.EventID, nil
}
