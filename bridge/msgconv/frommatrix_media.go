package msgconv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// Size limits of what the bridge sends to WeChat, from the protocol
// reference (§7.2, "Limits"). An attachment above the limit of the way it
// would normally be sent goes as a file instead; above the file limit,
// network.max_media_size (MaxFileSize), it is refused.
const (
	// maxImageSize is the official web client's figure for pictures, 20 MB
	// (MAX_IMG_UPLOAD_SIZE; the check itself is commented out there).
	maxImageSize = 20 << 20
	// maxVideoSize: the official web client refuses videos of 20 MB or more,
	// its only active size check; puppet-wechat does the same.
	maxVideoSize = 20<<20 - 1
	// maxStickerSize: the reference gives no figure for stickers (uploaded
	// GIFs), so they get the picture figure.
	maxStickerSize = maxImageSize
)

// Errors of media sends, shown to the user as the message's status. Those
// that resending cannot fix are permanent failures.
var (
	ErrNoAttachment = bridgev2.WrapErrorInStatus(errors.New("the message has no file attached, so nothing was sent to WeChat")).
			WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported).
			WithStatus(event.MessageStatusFail)
	ErrMatrixDownload = bridgev2.WrapErrorInStatus(errors.New("wxbridge could not download the file from Matrix")).
				WithMessage("the bridge could not download the file from your homeserver, so it was not sent to WeChat; send it again").
				WithIsCertain(true).WithSendNotice(true)
)

// sendAs is the WeChat call an attachment is sent with.
type sendAs int

const (
	sendAsFile    sendAs = iota // webwxsendappmsg, a file message
	sendAsImage                 // webwxsendmsgimg
	sendAsVideo                 // webwxsendvideomsg
	sendAsSticker               // webwxsendemoticon, with an uploaded GIF
)

func (s sendAs) String() string {
	return [...]string{"file", "image", "video", "sticker"}[s]
}

// limit is the largest attachment sent this way when files may be up to
// fileLimit bytes.
func (s sendAs) limit(fileLimit int64) int64 {
	if s == sendAsFile {
		return fileLimit
	}
	return min([...]int64{0, maxImageSize, maxVideoSize, maxStickerSize}[s], fileLimit)
}

// sendMedia downloads an attachment from Matrix, uploads it to WeChat and
// sends it, followed by its caption as a text message, if it has one.
func (mc *MessageConverter) sendMedia(ctx context.Context, cl Client, to string, msg *bridgev2.MatrixMessage) (*wechat.SendResult, string, error) {
	content := msg.Content
	kind := content.GetCapMsgType()
	if msg.Event != nil && msg.Event.Type == event.EventSticker {
		kind = event.CapMsgSticker
	}
	uri := content.URL
	if content.File != nil {
		uri = content.File.URL
	}
	if uri == "" {
		return nil, "", ErrNoAttachment
	}
	limit := mc.MaxFileSize
	if content.Info != nil && int64(content.Info.Size) > limit {
		return nil, "", TooLarge(int64(content.Info.Size), limit)
	}
	log := zerolog.Ctx(ctx).With().Str("cap_msg_type", string(kind)).Logger()
	data, err := mc.Bot.DownloadMedia(ctx, uri, content.File)
	if err != nil {
		log.Err(err).Msg("Failed to download media from Matrix")
		return nil, "", fmt.Errorf("%w: %w", ErrMatrixDownload, err)
	}
	mimeType := mediaMIME(content, data)
	how, err := planSend(kind, mimeType, int64(len(data)), limit)
	if err != nil {
		return nil, "", err
	}
	log = log.With().Str("send_as", how.String()).Str("mime_type", mimeType).Int("size", len(data)).Logger()
	up, err := cl.Upload(ctx, to, mediaFileName(content, mimeType), mimeType, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		log.Err(err).Msg("Failed to upload media to WeChat")
		return nil, "", SendError(err)
	}
	mc.observer().MediaUploaded(len(data))
	var res *wechat.SendResult
	switch how {
	case sendAsImage:
		res, err = cl.SendImage(ctx, to, up.MediaID)
	case sendAsVideo:
		res, err = cl.SendVideo(ctx, to, up.MediaID)
	case sendAsSticker:
		res, err = cl.SendEmoticon(ctx, to, "", up.MediaID)
	default:
		res, err = cl.SendFile(ctx, to, up)
	}
	if err != nil {
		log.Err(err).Msg("Failed to send media to WeChat")
		return nil, "", SendError(err)
	}
	log.Debug().Int64("new_msg_id", res.MsgID).Msg("Sent media to WeChat")
	if kind != event.CapMsgSticker && hasCaption(content) {
		mc.sendCaption(ctx, cl, to, msg, how)
	}
	return res, how.label(up.Name), nil
}

// sendCaption sends a media message's caption as a text message: Web
// WeChat cannot attach one. The media already went through, so a failure
// is told to the user in a notice instead of failing the message.
func (mc *MessageConverter) sendCaption(ctx context.Context, cl Client, to string, msg *bridgev2.MatrixMessage, how sendAs) {
	text, mentions := TextFromMatrix(msg.Content, mentionedMembers(cl, to))
	if strings.TrimSpace(text) == "" {
		return
	}
	_, err := cl.SendText(ctx, to, quotePrefix(cl, msg.ReplyTo)+text, mentions)
	if err == nil {
		return
	}
	zerolog.Ctx(ctx).Err(err).Msg("Failed to send a media caption to WeChat")
	notice := &event.MessageEventContent{
		MsgType: event.MsgNotice,
		Body: fmt.Sprintf("⚠️ The %s was sent to WeChat, but its caption was not (%v). Send the caption again as a text message.",
			how, SendError(err)),
	}
	if msg.Event != nil {
		notice.RelatesTo = (&event.RelatesTo{}).SetReplyTo(msg.Event.ID)
	}
	_, err = mc.Bot.SendMessage(ctx, msg.Portal.MXID, event.EventMessage, &event.Content{Parsed: notice}, nil)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to tell the user that a caption was not sent")
	}
}

// planSend picks how an attachment of a Matrix message kind (a capability
// msgtype), MIME type and size is sent: GIFs as stickers so they animate,
// JPEG, PNG and BMP pictures and stickers as images (the server's "pic"
// upload type; a WebP goes as a file), MP4 as video, everything else
// (audio and voice included: Web WeChat cannot send voice) as a file. What
// is above the limit of its way goes as a file; above fileLimit
// (max_media_size) it is refused.
func planSend(kind event.CapabilityMsgType, mimeType string, size, fileLimit int64) (sendAs, error) {
	if size > fileLimit {
		return sendAsFile, TooLarge(size, fileLimit)
	}
	how := sendAsFile
	switch kind {
	case event.MsgImage, event.CapMsgSticker, event.CapMsgGIF:
		switch mimeType {
		case "image/gif":
			how = sendAsSticker
		case "image/jpeg", "image/png", "image/bmp":
			if kind != event.CapMsgGIF {
				how = sendAsImage
			}
		case "video/mp4":
			if kind == event.CapMsgGIF {
				how = sendAsVideo
			}
		}
	case event.MsgVideo:
		if mimeType == "video/mp4" {
			how = sendAsVideo
		}
	}
	if size > how.limit(fileLimit) {
		how = sendAsFile
	}
	return how, nil
}

// TooLarge is the status of an attachment above max_media_size: a
// permanent failure that names both sizes.
func TooLarge(size, limit int64) error {
	got, max := FormatSize(size), FormatSize(limit)
	if got == max {
		// Just above the limit: "64 KiB" would read as equal.
		got, max = strconv.FormatInt(size, 10)+" bytes", max+" ("+strconv.FormatInt(limit, 10)+" bytes)"
	}
	return bridgev2.WrapErrorInStatus(fmt.Errorf("%w: the file is %s and the bridge's limit is %s, so it was not sent to WeChat; share a link to it instead",
		bridgev2.ErrMediaTooLarge, got, max)).WithStatus(event.MessageStatusFail)
}

// mediaMIME is the MIME type of an attachment: the sniffed type when the
// bytes are a picture (a GIF labelled PNG must still go as a sticker), else
// the declared one, else the sniffed one.
func mediaMIME(content *event.MessageEventContent, data []byte) string {
	sniffed := plainMIME(http.DetectContentType(data))
	var declared string
	if content.Info != nil {
		declared = plainMIME(content.Info.MimeType)
	}
	if strings.HasPrefix(sniffed, "image/") || declared == "" {
		return sniffed
	}
	return declared
}

// plainMIME lowercases a MIME type and drops its parameters.
func plainMIME(s string) string {
	if mt, _, err := mime.ParseMediaType(s); err == nil {
		s = mt
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "image/jpg" {
		return "image/jpeg"
	}
	return s
}

// hasCaption reports whether a media message carries a caption: by the
// Matrix convention its body is then the caption and filename the name.
func hasCaption(content *event.MessageEventContent) bool {
	return content.FileName != "" && content.Body != content.FileName && strings.TrimSpace(content.Body) != ""
}

// mediaFileName is the name an attachment is uploaded under: the file name
// (the body when there is no caption), sanitised (see sanitizeFileName),
// with an extension for its type when it has none.
func mediaFileName(content *event.MessageEventContent, mimeType string) string {
	name := content.FileName
	if name == "" {
		name = content.Body
	}
	return sanitizeFileName(name, extensionFor(mimeType))
}

// extensionFor is the usual file extension of a MIME type, or "".
func extensionFor(mimeType string) string {
	switch mimeType {
	case "image/jpeg":
		return ".jpg"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4":
		return ".m4a"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	}
	if exts, err := mime.ExtensionsByType(mimeType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// label is what a quote of an attachment sent this way shows.
func (s sendAs) label(fileName string) string {
	return [...]string{fileName, "[Photo]", "[Video]", "[Sticker]"}[s]
}
