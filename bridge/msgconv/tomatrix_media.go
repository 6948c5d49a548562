package msgconv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig for WeChat's image formats
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// mediaFetchTries is how often a download is tried before the message
// becomes a notice saying it could not be fetched.
const mediaFetchTries = 3

// FetchedMedia is a downloaded attachment waiting to be uploaded to Matrix
// by the sender's intent (UploadMedia), or (when fetching failed) the notice
// to send.
type FetchedMedia struct {
	evtType event.Type
	content *event.MessageEventContent
	data    []byte
	// thumb is a video's poster image, uploaded next to the video.
	thumb []byte
	// label is what a quote of the message shows (see mediaLabel).
	label string
	// msgID is the message's ID, which its event carries (see MsgIDKey).
	msgID networkid.MessageID
}

// FetchMedia downloads the attachment of a media message (an image,
// sticker, voice note, video or file) from the session cl. msgID is the
// message's ID, which its event carries (MsgIDKey). A download that keeps
// failing (expired on WeChat's side, too large) becomes a notice that says
// so, never an error: the inbox would retry it forever. An error means the
// session is gone or the bridge is stopping; the item is retried later.
func (mc *MessageConverter) FetchMedia(ctx context.Context, cl Client, m *wechat.Message, msgID networkid.MessageID) (*FetchedMedia, error) {
	fm, err := mc.fetchMedia(ctx, cl, m)
	if fm != nil {
		fm.msgID = msgID
	}
	return fm, err
}

// fetchMedia is FetchMedia but for the message ID.
func (mc *MessageConverter) fetchMedia(ctx context.Context, cl Client, m *wechat.Message) (*FetchedMedia, error) {
	what, evtType, name, fetch := mediaRequest(cl, m)
	if e, ok := m.Content.(*wechat.Emoticon); ok && e.Store {
		return noticeMedia("Sent a sticker from the WeChat sticker store, which WeChat does not show outside the app; see it on your phone."), nil
	}
	limit := mc.MaxFileSize
	var lastErr error
	for try := 1; try <= mediaFetchTries; try++ {
		data, mime, err := download(ctx, fetch, limit)
		if err == nil {
			mc.observer().MediaDownloaded(len(data))
			content := mediaContent(m.Content, name, mime, data)
			fm := &FetchedMedia{evtType: evtType, content: content, data: data, label: mediaLabel(m.Content, content.FileName)}
			mc.finishMedia(ctx, cl, m, fm)
			return fm, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
		if errors.Is(err, errTooLarge) {
			zerolog.Ctx(ctx).Debug().Err(err).Str("media", what).Int64("limit", limit).Msg("Media from WeChat is above the size limit")
			mc.observer().MediaTooLarge()
			return noticeMedia(tooLargeNotice(m.Content, what, limit)), nil
		}
		if errors.Is(err, wechat.ErrLoggedOut) {
			break
		}
		select {
		case <-time.After(time.Duration(try) * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	zerolog.Ctx(ctx).Warn().Err(lastErr).Str("media", what).Msg("Could not download media from WeChat")
	mc.observer().MediaUnavailable(lastErr)
	return noticeMedia(fmt.Sprintf("Sent %s that the bridge could not fetch from WeChat (%v); see it on your phone.", what, lastErr)), nil
}

// finishMedia does what a downloaded attachment needs beyond its bytes:
// voice notes become Ogg/Opus voice messages, videos get their poster as the
// thumbnail. Either failing leaves a message that still plays, so it is only
// logged.
func (mc *MessageConverter) finishMedia(ctx context.Context, wx WeChat, m *wechat.Message, fm *FetchedMedia) {
	log := zerolog.Ctx(ctx)
	switch m.Content.(type) {
	case *wechat.Voice:
		ogg, ok, err := voiceMessage(ctx, fm.data, fm.content)
		if err != nil {
			log.Warn().Err(err).Msg("Sending the voice message as MP3")
		} else if ok {
			fm.data = ogg
		}
	case *wechat.Video:
		thumb, mime, err := download(ctx, func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadImage(ctx, m.MsgID, wechat.ImageThumb)
		}, mc.MaxFileSize)
		if err != nil {
			log.Debug().Err(err).Msg("Video has no thumbnail")
			return
		}
		info := &event.FileInfo{MimeType: mime, Size: len(thumb)}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(thumb)); err == nil {
			info.Width, info.Height = cfg.Width, cfg.Height
		}
		mc.observer().MediaDownloaded(len(thumb))
		fm.thumb = thumb
		fm.content.Info.ThumbnailInfo = info
	}
}

// errTooLarge is an attachment above max_media_size.
var errTooLarge = errors.New("larger than the size limit")

// tooLargeNotice is the notice that replaces an attachment above the limit.
// A file's name is shown, sanitised like the name of a bridged file.
func tooLargeNotice(c wechat.Content, what string, limit int64) string {
	what += " that is"
	if f, ok := c.(*wechat.File); ok && f.Name != "" {
		what = fmt.Sprintf("the file %q, which is", sanitizeFileName(f.Name, ""))
	}
	return fmt.Sprintf("Sent %s larger than the bridge's limit of %s; see it on your phone.", what, FormatSize(limit))
}

func noticeMedia(text string) *FetchedMedia {
	return &FetchedMedia{evtType: event.EventMessage, content: &event.MessageEventContent{MsgType: event.MsgNotice, Body: text}}
}

// mediaRequest says what a media message holds and how to download it.
func mediaRequest(wx WeChat, m *wechat.Message) (what string, evtType event.Type, name string, fetch func(context.Context) (*wechat.Download, error)) {
	evtType = event.EventMessage
	switch c := m.Content.(type) {
	case *wechat.Image:
		return "an image", evtType, "image", func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadImage(ctx, m.MsgID, wechat.ImageOriginal)
		}
	case *wechat.Emoticon:
		return "a sticker", event.EventSticker, "sticker", func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadImage(ctx, m.MsgID, wechat.ImageBig)
		}
	case *wechat.Voice:
		return "a voice message", evtType, "voice.mp3", func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadVoice(ctx, m.MsgID)
		}
	case *wechat.Video:
		return "a video", evtType, "video.mp4", func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadVideo(ctx, m.MsgID)
		}
	case *wechat.File:
		return "a file", evtType, c.Name, func(ctx context.Context) (*wechat.Download, error) {
			return wx.DownloadFile(ctx, m.Raw.FromUserName, c.MediaID, c.EncryFileName)
		}
	}
	return "", evtType, "", nil
}

// download reads one attachment whole, refusing more than limit bytes
// (errTooLarge, also when the wechat client refused it).
func download(ctx context.Context, fetch func(context.Context) (*wechat.Download, error), limit int64) ([]byte, string, error) {
	d, err := fetch(ctx)
	if errors.Is(err, wechat.ErrTooLarge) {
		return nil, "", fmt.Errorf("%w: %w", errTooLarge, err)
	} else if err != nil {
		return nil, "", err
	}
	defer d.Close()
	if d.Length > limit {
		return nil, "", errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(d, limit+1))
	if errors.Is(err, wechat.ErrTooLarge) {
		return nil, "", fmt.Errorf("%w: %w", errTooLarge, err)
	} else if err != nil {
		return nil, "", err
	} else if int64(len(data)) > limit {
		return nil, "", errTooLarge
	} else if len(data) == 0 {
		return nil, "", errors.New("WeChat sent an empty file")
	}
	mime := strings.TrimSpace(strings.Split(d.ContentType, ";")[0])
	if mime == "" || mime == "application/octet-stream" || strings.HasPrefix(mime, "text/") {
		mime = http.DetectContentType(data)
	}
	return data, mime, nil
}

// mediaContent describes a downloaded attachment (the URL is set when it
// is uploaded). The name comes from the sender: it is sanitised.
func mediaContent(c wechat.Content, name, mime string, data []byte) *event.MessageEventContent {
	info := &event.FileInfo{MimeType: mime, Size: len(data)}
	content := &event.MessageEventContent{Info: info}
	var ext string
	switch c := c.(type) {
	case *wechat.Image, *wechat.Emoticon:
		content.MsgType = event.MsgImage
		if _, sticker := c.(*wechat.Emoticon); sticker {
			content.MsgType = "" // an m.sticker event has no msgtype
		}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			info.Width, info.Height = cfg.Width, cfg.Height
		}
		ext = extensionOf(mime)
	case *wechat.Voice:
		content.MsgType = event.MsgAudio
		info.Duration = int(c.Duration.Milliseconds())
		content.MSC1767Audio = &event.MSC1767Audio{Duration: info.Duration}
	case *wechat.Video:
		content.MsgType = event.MsgVideo
		info.Duration = int(c.Duration.Milliseconds())
		info.Width, info.Height = c.Width, c.Height
	case *wechat.File:
		content.MsgType = event.MsgFile
		ext = "." + c.Ext
	default:
		content.MsgType = event.MsgFile
	}
	name = sanitizeFileName(name, ext)
	content.Body = name
	content.FileName = name
	return content
}

func extensionOf(mime string) string {
	switch mime {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ""
}

// UploadMedia is the ConvertMessageFunc of media messages: it uploads the
// attachment as the message's sender (encrypting it in encrypted rooms).
func (mc *MessageConverter) UploadMedia(ctx context.Context, portal *bridgev2.Portal, intent bridgev2.MatrixAPI, fm *FetchedMedia) (*bridgev2.ConvertedMessage, error) {
	content := fm.content
	if fm.data != nil {
		url, file, err := intent.UploadMedia(ctx, portal.MXID, fm.data, content.FileName, content.Info.MimeType)
		if err != nil {
			return nil, fmt.Errorf("uploading %s to Matrix: %w", content.FileName, err)
		}
		cp := *content
		cp.URL, cp.File = url, file
		if fm.thumb != nil {
			info := *content.Info
			thumbMime := info.ThumbnailInfo.MimeType
			info.ThumbnailURL, info.ThumbnailFile, err = intent.UploadMedia(ctx, portal.MXID, fm.thumb, "thumbnail"+extensionOf(thumbMime), thumbMime)
			if err != nil {
				// The video plays without its poster.
				zerolog.Ctx(ctx).Warn().Err(err).Msg("Failed to upload the video thumbnail")
				info.ThumbnailInfo = nil
			}
			cp.Info = &info
		}
		content = &cp
	}
	return &bridgev2.ConvertedMessage{Parts: []*bridgev2.ConvertedMessagePart{{
		Type:       fm.evtType,
		Content:    content,
		Extra:      msgIDExtra(fm.msgID),
		DBMetadata: fm.Metadata(),
	}}}, nil
}

// Metadata is what bridgev2 keeps of the message (the label a quote of it
// shows).
func (fm *FetchedMedia) Metadata() *MessageMetadata {
	return &MessageMetadata{Text: fm.label}
}
