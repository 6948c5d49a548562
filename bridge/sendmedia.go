package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/bridge/metrics"
	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// Size limits of what the bridge sends to WeChat, from the protocol
// reference (§7.2, "Limits"). An attachment above the limit of the way it
// would normally be sent goes as a file instead; above the file limit,
// network.max_media_size, it is refused.
const (
	// maxFileSize is the default file limit (max_media_size): puppet-wechat
	// enforces 100 MB, and it is wechat.Config's default MaxMediaSize. (The
	// official web client's 50 MB file check is commented out.)
	maxFileSize = defaultMaxMediaSize
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
	ErrInvalidLocation = bridgev2.WrapErrorInStatus(errors.New("the location has no valid geo: URI (geo:latitude,longitude), so it was not sent to WeChat")).
				WithIsCertain(true).WithErrorAsMessage().WithSendNotice(true).WithErrorReason(event.MessageStatusUnsupported).
				WithStatus(event.MessageStatusFail)
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
func (c *WeChatClient) sendMedia(ctx context.Context, wx *wechat.Client, r *roster, to string, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
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
		return nil, ErrNoAttachment
	}
	limit := c.conn.Config.MediaLimit()
	if content.Info != nil && int64(content.Info.Size) > limit {
		return nil, tooLarge(int64(content.Info.Size), limit)
	}
	log := zerolog.Ctx(ctx).With().Str("cap_msg_type", string(kind)).Logger()
	data, err := c.conn.Bridge.Bot.DownloadMedia(ctx, uri, content.File)
	if err != nil {
		log.Err(err).Msg("Failed to download media from Matrix")
		return nil, fmt.Errorf("%w: %w", ErrMatrixDownload, err)
	}
	mimeType := mediaMIME(content, data)
	how, err := planSend(kind, mimeType, int64(len(data)), limit)
	if err != nil {
		return nil, err
	}
	log = log.With().Str("send_as", how.String()).Str("mime_type", mimeType).Int("size", len(data)).Logger()
	up, err := wx.Upload(ctx, to, mediaFileName(content, mimeType), mimeType, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		log.Err(err).Msg("Failed to upload media to WeChat")
		return nil, sendError(err)
	}
	c.metrics().MediaBytes(metrics.ToWeChat, len(data))
	var res *wechat.SendResult
	switch how {
	case sendAsImage:
		res, err = wx.SendImage(ctx, to, up.MediaID)
	case sendAsVideo:
		res, err = wx.SendVideo(ctx, to, up.MediaID)
	case sendAsSticker:
		res, err = wx.SendEmoticon(ctx, to, "", up.MediaID)
	default:
		res, err = wx.SendFile(ctx, to, up)
	}
	if err != nil {
		log.Err(err).Msg("Failed to send media to WeChat")
		return nil, sendError(err)
	}
	log.Debug().Int64("new_msg_id", res.MsgID).Msg("Sent media to WeChat")
	if kind != event.CapMsgSticker && hasCaption(content) {
		c.sendCaption(ctx, wx, r, to, msg, how)
	}
	return c.sentResponse(res, how.label(up.Name)), nil
}

// sendCaption sends a media message's caption as a text message: Web
// WeChat cannot attach one. The media already went through, so a failure
// is told to the user in a notice instead of failing the message.
func (c *WeChatClient) sendCaption(ctx context.Context, wx *wechat.Client, r *roster, to string, msg *bridgev2.MatrixMessage, how sendAs) {
	text, mentions := msgconv.TextFromMatrix(msg.Content, c.mentionedMembers(r, to))
	if strings.TrimSpace(text) == "" {
		return
	}
	_, err := wx.SendText(ctx, to, msgconv.QuotePrefix(c.convClient(wx, r), msg.ReplyTo)+text, mentions)
	if err == nil {
		return
	}
	zerolog.Ctx(ctx).Err(err).Msg("Failed to send a media caption to WeChat")
	notice := &event.MessageEventContent{
		MsgType: event.MsgNotice,
		Body: fmt.Sprintf("⚠️ The %s was sent to WeChat, but its caption was not (%v). Send the caption again as a text message.",
			how, sendError(err)),
	}
	if msg.Event != nil {
		notice.RelatesTo = (&event.RelatesTo{}).SetReplyTo(msg.Event.ID)
	}
	_, err = c.conn.Bridge.Bot.SendMessage(ctx, msg.Portal.MXID, event.EventMessage, &event.Content{Parsed: notice}, nil)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to tell the user that a caption was not sent")
	}
}

// sendLocation sends a location as text with a map link: Web WeChat cannot
// send location messages.
func (c *WeChatClient) sendLocation(ctx context.Context, wx *wechat.Client, to string, msg *bridgev2.MatrixMessage) (*bridgev2.MatrixMessageResponse, error) {
	text, err := locationText(msg.Content.Body, msg.Content.GeoURI)
	if err != nil {
		return nil, err
	}
	res, err := wx.SendText(ctx, to, text, nil)
	if err != nil {
		zerolog.Ctx(ctx).Err(err).Msg("Failed to send a location to WeChat")
		return nil, sendError(err)
	}
	return c.sentResponse(res, text), nil
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
		return sendAsFile, tooLarge(size, fileLimit)
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

// tooLarge is the status of an attachment above max_media_size: a
// permanent failure that names both sizes.
func tooLarge(size, limit int64) error {
	got, max := msgconv.FormatSize(size), msgconv.FormatSize(limit)
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
	return msgconv.SanitizeFileName(name, extensionFor(mimeType))
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

// locationText is a location as WeChat text: a pin, the label and an
// OpenStreetMap link. Element's bodies ("Location geo:… at <time>") repeat
// the URI; those are labelled just "Location".
func locationText(body, geoURI string) (string, error) {
	lat, lng, err := parseGeoURI(geoURI)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidLocation, err)
	}
	label := strings.TrimSpace(body)
	if label == "" || strings.Contains(strings.ToLower(label), "geo:") {
		label = "Location"
	}
	la, lo := strconv.FormatFloat(lat, 'f', -1, 64), strconv.FormatFloat(lng, 'f', -1, 64)
	return "📍 " + label + "\nhttps://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=16/" + la + "/" + lo, nil
}

// parseGeoURI reads the coordinates of an RFC 5870 geo URI
// ("geo:lat,lng[,alt][;u=…]").
func parseGeoURI(uri string) (lat, lng float64, err error) {
	uri = strings.TrimSpace(uri)
	if len(uri) < 4 || !strings.EqualFold(uri[:4], "geo:") {
		return 0, 0, fmt.Errorf("%q does not start with geo:", uri)
	}
	coords, _, _ := strings.Cut(uri[4:], ";")
	parts := strings.Split(coords, ",")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, 0, fmt.Errorf("%q is not latitude,longitude", coords)
	}
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	lng, errLng := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	switch {
	case errLat != nil || errLng != nil:
		return 0, 0, fmt.Errorf("%q is not latitude,longitude", coords)
	case math.IsNaN(lat) || lat < -90 || lat > 90:
		return 0, 0, fmt.Errorf("latitude %s is not between -90 and 90", parts[0])
	case math.IsNaN(lng) || lng < -180 || lng > 180:
		return 0, 0, fmt.Errorf("longitude %s is not between -180 and 180", parts[1])
	}
	return lat, lng, nil
}

// label is what a quote of an attachment sent this way shows.
func (s sendAs) label(fileName string) string {
	return [...]string{fileName, "[Photo]", "[Video]", "[Sticker]"}[s]
}
