package e2e_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestSendMediaToWeChat: pictures, GIFs, stickers, videos, files and voice
// sent in Matrix reach WeChat through the matching send call with the same
// bytes, a caption follows its picture as text, a location becomes a map
// link, and what cannot be sent fails with a status that says why.
func TestSendMediaToWeChat(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{Config: map[string]any{"matrix.message_status_events": true}})
	sim := e.s.Sim
	var first id.EventID // the first message sent, for the echo check

	picture := sendMediaPNG(t, 40, 30, 0)
	captioned := sendMediaPNG(t, 30, 40, 1)
	animation := sendMediaGIF(t, 0)
	sticker := sendMediaGIF(t, 1)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{9}, 600<<10)...)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("quarterly numbers "), 2000)...)
	voice := append([]byte("OggS\x00\x02"), bytes.Repeat([]byte{0x4f, 0x70, 0x75, 0x73}, 2000)...)

	tests := []struct {
		name      string
		sticker   bool
		content   event.MessageEventContent
		data      []byte
		endpoint  string
		mediaType string // the upload's mediatype field
		fileName  string // the appmsg title, for files
		caption   string
	}{
		{name: "png image", content: event.MessageEventContent{MsgType: event.MsgImage, Body: "picture.png",
			Info: &event.FileInfo{MimeType: "image/png"}}, data: picture, endpoint: "webwxsendmsgimg", mediaType: "pic"},
		{name: "gif image as a sticker", content: event.MessageEventContent{MsgType: event.MsgImage, Body: "dance.gif",
			Info: &event.FileInfo{MimeType: "image/gif"}}, data: animation, endpoint: "webwxsendemoticon", mediaType: "doc"},
		{name: "sticker", sticker: true, content: event.MessageEventContent{Body: "party parrot",
			Info: &event.FileInfo{MimeType: "image/gif"}}, data: sticker, endpoint: "webwxsendemoticon", mediaType: "doc"},
		{name: "mp4 video", content: event.MessageEventContent{MsgType: event.MsgVideo, Body: "clip.mp4",
			Info: &event.FileInfo{MimeType: "video/mp4"}}, data: mp4, endpoint: "webwxsendvideomsg", mediaType: "video"},
		{name: "file", content: event.MessageEventContent{MsgType: event.MsgFile, Body: "report Q3.pdf",
			Info: &event.FileInfo{MimeType: "application/pdf"}}, data: pdf, endpoint: "webwxsendappmsg", mediaType: "doc", fileName: "report Q3.pdf"},
		{name: "voice message as a file", content: event.MessageEventContent{MsgType: event.MsgAudio, Body: "Voice message",
			Info: &event.FileInfo{MimeType: "audio/ogg", Duration: 2100}, MSC3245Voice: &event.MSC3245Voice{}},
			data: voice, endpoint: "webwxsendappmsg", mediaType: "doc", fileName: "Voice message.ogg"},
		{name: "image with a caption", content: event.MessageEventContent{MsgType: event.MsgImage, Body: "at the beach", FileName: "beach.png",
			Info: &event.FileInfo{MimeType: "image/png"}}, data: captioned, endpoint: "webwxsendmsgimg", mediaType: "pic", caption: "at the beach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			content := tt.content
			uri, err := e.u.UploadMedia(e.ctx, tt.data, content.Info.MimeType, content.GetFileName())
			require.NoError(t, err)
			content.URL = uri
			content.Info.Size = len(tt.data)
			var evtID id.EventID
			if tt.sticker {
				evtID, err = e.u.SendSticker(e.ctx, alice.ID, &content)
			} else {
				evtID, err = e.u.SendContent(e.ctx, alice.ID, &content)
			}
			require.NoError(t, err)
			if first == "" {
				first = evtID
			}

			want := sha256.Sum256(tt.data)
			var up wechattest.Upload
			sent := e.waitSent(sim, tt.name, func(m wechattest.SentMessage) bool {
				u, ok := uploadOf(sim, m)
				if ok && sha256.Sum256(u.Data) == want {
					up = u
					return true
				}
				return false
			})
			assert.Equal(t, tt.endpoint, sent.Endpoint, "sent with %s", tt.endpoint)
			assert.Equal(t, sim.UserName("alice"), sent.Msg.ToUserName)
			assert.Equal(t, want, sha256.Sum256(up.Data), "WeChat got the bytes sent in Matrix")
			assert.Equal(t, tt.mediaType, up.MediaType, "the upload's mediatype")
			if tt.fileName != "" {
				assert.Contains(t, sent.Msg.Content, "<title>"+html.EscapeString(tt.fileName)+"</title>")
				assert.Equal(t, tt.fileName, up.Name)
			}
			if tt.caption != "" {
				text := e.waitSent(sim, "the caption", func(m wechattest.SentMessage) bool {
					return m.Endpoint == "webwxsendmsg" && m.Msg.Content == tt.caption
				})
				all := sim.Sent()
				media := slices.IndexFunc(all, func(m wechattest.SentMessage) bool { return m.MsgID == sent.MsgID })
				require.True(t, media >= 0 && media+1 < len(all), "the caption was sent after the media")
				assert.Equal(t, text.MsgID, all[media+1].MsgID, "the caption follows the media directly")
			}
			st := e.messageStatus(alice.ID, evtID)
			assert.Equal(t, event.MessageStatusSuccess, st.Status, "status message %q", st.Message)
		})
	}

	t.Run("location", func(t *testing.T) {
		e := e.sub(t)
		evtID, err := e.u.SendContent(e.ctx, alice.ID, &event.MessageEventContent{
			MsgType: event.MsgLocation, Body: "Big Ben", GeoURI: "geo:51.5008,-0.1247;u=35",
		})
		require.NoError(t, err)
		want := "📍 Big Ben\nhttps://www.openstreetmap.org/?mlat=51.5008&mlon=-0.1247#map=16/51.5008/-0.1247"
		m := e.waitSent(sim, "the location", func(m wechattest.SentMessage) bool { return m.Msg.Content == want })
		assert.Equal(t, "webwxsendmsg", m.Endpoint)
		assert.Equal(t, event.MessageStatusSuccess, e.messageStatus(alice.ID, evtID).Status)
	})

	t.Run("caption WeChat refuses", func(t *testing.T) {
		e := e.sub(t)
		data := sendMediaPNG(t, 20, 20, 2)
		uri, err := e.u.UploadMedia(e.ctx, data, "image/png", "sunset.png")
		require.NoError(t, err)
		sim.FailNext("webwxsendmsg", 1, wechattest.FaultHTTP500)
		evtID, err := e.u.SendContent(e.ctx, alice.ID, &event.MessageEventContent{MsgType: event.MsgImage, Body: "sunset", FileName: "sunset.png",
			URL: uri, Info: &event.FileInfo{MimeType: "image/png", Size: len(data)}})
		require.NoError(t, err)
		assert.Equal(t, event.MessageStatusSuccess, e.messageStatus(alice.ID, evtID).Status, "the picture itself went through")
		notice, err := e.u.WaitEventAfter(e.ctx, alice.ID, evtID, "the bot's notice about the lost caption",
			stack.Text(e.s.Bridge.Bot, "caption was not", event.MsgNotice))
		require.NoError(t, err)
		t.Logf("notice: %q", stack.Message(notice).Body)
		assert.Contains(t, stack.Message(notice).Body, "Send the caption again")
	})

	failures := []struct {
		name    string
		content *event.MessageEventContent
		upload  []byte
		fault   string // an endpoint that answers HTTP 500 each time (the bridge tries an upload chunk 3 times)
		want    string // in the status message, lowercased
	}{
		{"oversize file", &event.MessageEventContent{MsgType: event.MsgFile, Body: "huge.bin",
			Info: &event.FileInfo{MimeType: "application/octet-stream", Size: 101 << 20}}, []byte("declared far larger than it is"), "", "too large"},
		{"file missing on the homeserver", &event.MessageEventContent{MsgType: event.MsgImage, Body: "gone.png",
			URL: "mxc://" + stack.Domain + "/doesnotexist", Info: &event.FileInfo{MimeType: "image/png"}}, nil, "", "could not download"},
		{"upload WeChat refuses", &event.MessageEventContent{MsgType: event.MsgFile, Body: "notes.txt",
			Info: &event.FileInfo{MimeType: "text/plain"}}, []byte("meeting notes"), "webwxuploadmedia", "wechat did not accept"},
		{"invalid location", &event.MessageEventContent{MsgType: event.MsgLocation, Body: "nowhere", GeoURI: "somewhere"}, nil, "", "geo:"},
		{"unknown msgtype", &event.MessageEventContent{MsgType: "org.example.hologram", Body: "a hologram"}, nil, "", "cannot receive"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			before := len(sim.Sent())
			if tt.fault != "" {
				sim.FailNext(tt.fault, 3, wechattest.FaultHTTP500)
			}
			if tt.upload != nil {
				uri, err := e.u.UploadMedia(e.ctx, tt.upload, tt.content.Info.MimeType, tt.content.Body)
				require.NoError(t, err)
				tt.content.URL = uri
			}
			evtID, err := e.u.SendContent(e.ctx, alice.ID, tt.content)
			require.NoError(t, err)
			st := e.messageStatus(alice.ID, evtID)
			t.Logf("status %s: %q", st.Status, st.Message)
			assert.True(t, strings.HasPrefix(string(st.Status), "FAIL"), "status %s", st.Status)
			assert.Contains(t, strings.ToLower(st.Message), tt.want, "the status says why")
			assert.Len(t, sim.Sent(), before, "nothing reached WeChat")
		})
	}

	t.Run("echoes are not bridged back", func(t *testing.T) {
		e := e.sub(t)
		// Everything WeChat had before the sentinel has been bridged once
		// it arrives.
		sim.InjectText("alice", "", "media sentinel")
		e.waitMessage(e.u, alice.ID, aliceGhost, "media sentinel")
		events, err := e.u.Events(e.ctx, alice.ID)
		require.NoError(t, err)
		for _, evt := range stack.After(events, first) {
			if msg := stack.Message(evt); msg != nil && e.s.Bridge.IsGhost(evt.Sender) {
				assert.Equal(t, "media sentinel", msg.Body, "only the sentinel came from WeChat, not %s", stack.Describe(evt))
			}
		}
	})

	for _, v := range sim.Violations() {
		if strings.HasPrefix(v, "webwxuploadmedia") || strings.HasPrefix(v, "webwxsend") {
			t.Errorf("protocol violation: %s", v)
		}
	}
}

// uploadOf is the upload a sent message carries: its MediaId, or a file
// message's attachid.
func uploadOf(sim *wechattest.Server, m wechattest.SentMessage) (wechattest.Upload, bool) {
	mediaID := m.Msg.MediaId
	if mediaID == "" {
		if match := attachID.FindStringSubmatch(m.Msg.Content); match != nil {
			mediaID = html.UnescapeString(match[1])
		}
	}
	if mediaID == "" {
		return wechattest.Upload{}, false
	}
	for _, up := range sim.Uploads() {
		if up.MediaID == mediaID {
			return up, true
		}
	}
	return wechattest.Upload{}, false
}

var attachID = regexp.MustCompile(`<attachid>([^<]*)</attachid>`)

// messageStatus waits for the bridge's com.beeper.message_send_status for
// an event (the stack enables matrix.message_status_events).
func (e *env) messageStatus(room id.RoomID, evtID id.EventID) *event.BeeperMessageStatusEventContent {
	e.t.Helper()
	evt, err := e.u.WaitEvent(e.ctx, room, fmt.Sprintf("the message status of %s", evtID), func(evt *event.Event) bool {
		return evt.Type == event.BeeperMessageStatus && relatesTo(evt, evtID)
	})
	require.NoError(e.t, err)
	content, ok := evt.Content.Parsed.(*event.BeeperMessageStatusEventContent)
	require.True(e.t, ok, "parsed as a message status")
	return content
}

// sendMediaPNG is a w×h PNG; seed makes pictures of the same size differ.
func sendMediaPNG(t *testing.T, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 6), 40 + seed*100, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// sendMediaGIF is a two-frame animated GIF; seed makes GIFs differ.
func sendMediaGIF(t *testing.T, seed uint8) []byte {
	t.Helper()
	palette := color.Palette{color.Black, color.White, color.RGBA{R: 200, G: seed * 90, B: 30, A: 255}}
	anim := &gif.GIF{}
	for frame := range 2 {
		img := image.NewPaletted(image.Rect(0, 0, 16, 16), palette)
		for i := range img.Pix {
			img.Pix[i] = uint8((i + frame) % len(palette))
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 20)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, anim))
	return buf.Bytes()
}
