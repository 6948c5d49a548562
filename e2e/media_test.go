package e2e_test

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// TestMediaFromWeChat: images, stickers, voice, video and files arrive as
// the matching Matrix events from the sender's ghost, with the same bytes.
func TestMediaFromWeChat(t *testing.T) {
	e, alice, aliceGhost := setupWithAlice(t, stack.Options{})
	sim := e.s.Sim
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	bobGhost := family.ghosts[seedName("bob")]

	picture := testPNG(t, 64, 48)
	mp3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, 300)...)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{7}, 4000)...)
	poster := testPNG(t, 32, 18)
	doc := []byte("quarterly report\n" + string(bytes.Repeat([]byte("numbers "), 500)))

	tests := []struct {
		name    string
		inject  func() int64
		room    portal
		sender  string
		evtType event.Type
		msgType event.MessageType
		data    []byte
		check   func(t *testing.T, c *event.MessageEventContent)
	}{
		{"image", func() int64 { return sim.InjectImage("alice", "", picture) }, alice, "alice", event.EventMessage, event.MsgImage, picture,
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, 64, c.Info.Width)
				assert.Equal(t, 48, c.Info.Height)
				assert.Equal(t, "image/png", c.Info.MimeType)
			}},
		{"sticker", func() int64 { return sim.InjectEmoticon("family", "bob", picture) }, family, "bob", event.EventSticker, "", picture, nil},
		// Not a decodable MP3: ffmpeg fails and the note stays MP3 audio.
		{"voice", func() int64 { return sim.InjectVoice("alice", "", mp3, 3200) }, alice, "alice", event.EventMessage, event.MsgAudio, mp3,
			func(t *testing.T, c *event.MessageEventContent) { assert.Equal(t, 3200, c.Info.Duration) }},
		{"video", func() int64 { return sim.InjectVideo("alice", "", mp4, poster, 7) }, alice, "alice", event.EventMessage, event.MsgVideo, mp4,
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, 7000, c.Info.Duration)
				require.NotEmpty(t, c.Info.ThumbnailURL, "the video has its poster as thumbnail")
				thumb, err := e.u.Download(e.ctx, c.Info.ThumbnailURL)
				require.NoError(t, err)
				assert.Equal(t, sha256.Sum256(poster), sha256.Sum256(thumb))
				assert.Equal(t, 32, c.Info.ThumbnailInfo.Width)
			}},
		{"file", func() int64 { return sim.InjectFile("family", "bob", "report Q3.txt", doc) }, family, "bob", event.EventMessage, event.MsgFile, doc,
			func(t *testing.T, c *event.MessageEventContent) {
				assert.Equal(t, "report Q3.txt", c.Body)
				assert.Equal(t, len(doc), c.Info.Size)
			}},
	}
	ghosts := map[string]string{"alice": aliceGhost.String(), "bob": bobGhost.String()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.inject()
			evt, err := e.u.WaitEvent(e.ctx, tt.room.ID, tt.name+" from "+tt.sender, func(evt *event.Event) bool {
				msg := stack.Message(evt)
				return evt.Type == tt.evtType && evt.Sender.String() == ghosts[tt.sender] && msg != nil &&
					msg.MsgType == tt.msgType && msg.URL != ""
			})
			require.NoError(t, err)
			content := stack.Message(evt)
			got, err := e.u.Download(e.ctx, content.URL)
			require.NoError(t, err)
			assert.Equal(t, sha256.Sum256(tt.data), sha256.Sum256(got), "the bytes in Matrix are the bytes sent in WeChat")
			if tt.check != nil {
				tt.check(t, content)
			}
		})
	}
}

// TestVoiceFromWeChat: with ffmpeg installed, a voice note arrives as a
// Matrix voice message in Ogg/Opus, with its duration and a waveform.
func TestVoiceFromWeChat(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must install ffmpeg (.ci/run)")
		}
		t.Skip("ffmpeg is not installed")
	}
	mp3Path := filepath.Join(t.TempDir(), "note.mp3")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:a", "libmp3lame", mp3Path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	mp3, err := os.ReadFile(mp3Path)
	require.NoError(t, err)

	e, alice, _ := setupWithAlice(t, stack.Options{})
	e.s.Sim.InjectVoice("alice", "", mp3, 2000)
	evt, err := e.u.WaitEvent(e.ctx, alice.ID, "voice message", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && msg.MsgType == event.MsgAudio && msg.URL != ""
	})
	require.NoError(t, err)
	c := stack.Message(evt)
	assert.Equal(t, "audio/ogg", c.Info.MimeType)
	assert.NotNil(t, c.MSC3245Voice, "marked as a voice message")
	require.NotNil(t, c.MSC1767Audio)
	assert.Equal(t, 2000, c.MSC1767Audio.Duration)
	assert.NotEmpty(t, c.MSC1767Audio.Waveform)
	got, err := e.u.Download(e.ctx, c.URL)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(got, []byte("OggS")), "the file is Ogg")
	assert.Equal(t, len(got), c.Info.Size)
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}
