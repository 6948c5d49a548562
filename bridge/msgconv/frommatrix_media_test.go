package msgconv

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/event"
)

// maxFileSize is network.max_media_size's default.
const maxFileSize = 100 << 20

func TestPlanSend(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name    string
		kind    event.CapabilityMsgType
		mime    string
		size    int64
		want    sendAs
		wantErr error
	}{
		{"jpeg image", event.MsgImage, "image/jpeg", mib, sendAsImage, nil},
		{"png image", event.MsgImage, "image/png", mib, sendAsImage, nil},
		{"bmp image", event.MsgImage, "image/bmp", mib, sendAsImage, nil},
		{"webp image is not a pic upload", event.MsgImage, "image/webp", mib, sendAsFile, nil},
		{"gif image animates as a sticker", event.MsgImage, "image/gif", mib, sendAsSticker, nil},
		{"image at the picture limit", event.MsgImage, "image/png", maxImageSize, sendAsImage, nil},
		{"image above the picture limit", event.MsgImage, "image/png", maxImageSize + 1, sendAsFile, nil},
		{"gif sticker", event.CapMsgSticker, "image/gif", mib, sendAsSticker, nil},
		{"png sticker as an image", event.CapMsgSticker, "image/png", mib, sendAsImage, nil},
		{"webp sticker as a file", event.CapMsgSticker, "image/webp", mib, sendAsFile, nil},
		{"big gif sticker as a file", event.CapMsgSticker, "image/gif", maxStickerSize + 1, sendAsFile, nil},
		{"mp4 video", event.MsgVideo, "video/mp4", 5 * mib, sendAsVideo, nil},
		{"video of 20 MiB as a file", event.MsgVideo, "video/mp4", 20 * mib, sendAsFile, nil},
		{"webm video as a file", event.MsgVideo, "video/webm", mib, sendAsFile, nil},
		{"mp4 GIF as a video", event.CapMsgGIF, "video/mp4", mib, sendAsVideo, nil},
		{"gif GIF as a sticker", event.CapMsgGIF, "image/gif", mib, sendAsSticker, nil},
		{"audio as a file", event.MsgAudio, "audio/mpeg", mib, sendAsFile, nil},
		{"voice as a file", event.CapMsgVoice, "audio/ogg", mib, sendAsFile, nil},
		{"png file stays a file", event.MsgFile, "image/png", mib, sendAsFile, nil},
		{"file at the limit", event.MsgFile, "application/pdf", maxFileSize, sendAsFile, nil},
		{"file above the limit", event.MsgFile, "application/pdf", maxFileSize + 1, sendAsFile, bridgev2.ErrMediaTooLarge},
		{"video above the limit", event.MsgVideo, "video/mp4", maxFileSize + 1, sendAsFile, bridgev2.ErrMediaTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := planSend(tt.kind, tt.mime, tt.size, maxFileSize)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				st := bridgev2.WrapErrorInStatus(err)
				assert.Contains(t, st.Error(), "100 MiB", "the status names the limit")
				assert.Equal(t, event.MessageStatusFail, st.Status, "resending cannot help")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "sent as %s, want %s", got, tt.want)
		})
	}
}

// TestPlanSendConfiguredLimit: max_media_size is the file limit, and no
// other way takes more than a file.
func TestPlanSendConfiguredLimit(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name      string
		kind      event.CapabilityMsgType
		mime      string
		size      int64
		limit     int64
		want      sendAs
		wantErr   bool
		wantLimit string
	}{
		{"small limit, file below", event.MsgFile, "application/pdf", 1000, 1000, sendAsFile, false, ""},
		{"small limit, file above", event.MsgFile, "application/pdf", 1001, 1000, sendAsFile, true, "1000 bytes"},
		{"small limit, image above", event.MsgImage, "image/png", 3 * mib, 2 * mib, sendAsFile, true, "2 MiB"},
		{"limit below the picture figure", event.MsgImage, "image/png", 5 * mib, 10 * mib, sendAsImage, false, ""},
		{"large limit, big file", event.MsgFile, "application/zip", 300 * mib, 512 * mib, sendAsFile, false, ""},
		{"large limit, big video as a file", event.MsgVideo, "video/mp4", 300 * mib, 512 * mib, sendAsFile, false, ""},
		{"large limit, above it", event.MsgFile, "application/zip", 513 * mib, 512 * mib, sendAsFile, true, "512 MiB"},
		{"one byte above reads in bytes", event.MsgFile, "application/zip", 64<<10 + 1, 64 << 10, sendAsFile, true, "64 KiB (65536 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := planSend(tt.kind, tt.mime, tt.size, tt.limit)
			if tt.wantErr {
				require.ErrorIs(t, err, bridgev2.ErrMediaTooLarge)
				st := bridgev2.WrapErrorInStatus(err)
				assert.Contains(t, st.Error(), "the bridge's limit is "+tt.wantLimit)
				assert.Equal(t, event.MessageStatusFail, st.Status)
				assert.True(t, st.SendNotice, "the user is told")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "sent as %s, want %s", got, tt.want)
		})
	}
}

func TestSendLimitsOrder(t *testing.T) {
	for _, limit := range []int64{1000, maxFileSize, 1 << 30} {
		for _, how := range []sendAs{sendAsImage, sendAsVideo, sendAsSticker} {
			assert.LessOrEqual(t, how.limit(limit), sendAsFile.limit(limit), "%s falls back to a file, which must take at least as much", how)
		}
	}
	assert.Less(t, int64(maxVideoSize), int64(20<<20), "the web client refuses videos of 20 MB or more")
}

func TestMediaMIME(t *testing.T) {
	var gifData, pngData bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 2, 2), []color.Color{color.Black, color.White})
	require.NoError(t, gif.Encode(&gifData, img, nil))
	require.NoError(t, png.Encode(&pngData, img))
	tests := []struct {
		name     string
		declared string
		data     []byte
		want     string
	}{
		{"gif labelled png is a gif", "image/png", gifData.Bytes(), "image/gif"},
		{"png without a label", "", pngData.Bytes(), "image/png"},
		{"declared video kept", "video/mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "video/mp4"},
		{"declared type with parameters", "Audio/Ogg; codecs=opus", []byte("OggS\x00\x02"), "audio/ogg"},
		{"nonstandard jpg", "image/jpg", []byte("not really"), "image/jpeg"},
		{"unknown bytes without a label", "", []byte{0, 1, 2, 3}, "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := &event.MessageEventContent{Info: &event.FileInfo{MimeType: tt.declared}}
			assert.Equal(t, tt.want, mediaMIME(content, tt.data))
		})
	}
}

func TestCaptionAndFileName(t *testing.T) {
	tests := []struct {
		name        string
		content     event.MessageEventContent
		mime        string
		wantCaption bool
		wantName    string
	}{
		{"body is the file name", event.MessageEventContent{Body: "photo.png"}, "image/png", false, "photo.png"},
		{"file name equals body", event.MessageEventContent{Body: "photo.png", FileName: "photo.png"}, "image/png", false, "photo.png"},
		{"caption", event.MessageEventContent{Body: "look at this", FileName: "photo.png"}, "image/png", true, "photo.png"},
		{"blank caption", event.MessageEventContent{Body: "  ", FileName: "photo.png"}, "image/png", false, "photo.png"},
		{"voice without an extension", event.MessageEventContent{Body: "Voice message"}, "audio/ogg", false, "Voice message.ogg"},
		{"directories and control characters dropped", event.MessageEventContent{Body: "..\\secret/re\nport.pdf"}, "application/pdf", false, "report.pdf"},
		{"no name at all", event.MessageEventContent{}, "image/jpeg", false, "file.jpg"},
		{"unknown type keeps the bare name", event.MessageEventContent{Body: "notes"}, "application/x-unknown-thing", false, "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantCaption, hasCaption(&tt.content))
			assert.Equal(t, tt.wantName, mediaFileName(&tt.content, tt.mime))
		})
	}
}
