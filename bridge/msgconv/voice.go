package msgconv

import (
	"context"
	"fmt"

	"go.mau.fi/util/ffmpeg"
	"go.mau.fi/util/ffmpeg/waveform"
	"maunium.net/go/mautrix/event"
)

const (
	// waveformSamples and waveformMax shape the waveform of a voice message
	// the way Element draws it (MSC3246: up to 1024 per sample).
	waveformSamples = 64
	waveformMax     = 1024
)

// voiceMessage turns a downloaded WeChat voice note (MP3) into a Matrix
// voice message: Ogg/Opus with the MSC3245 voice flag and a waveform, which
// clients show as a voice bubble. Without ffmpeg, or when the conversion
// fails, the MP3 stays an ordinary audio message and ok is false.
func voiceMessage(ctx context.Context, mp3 []byte, content *event.MessageEventContent) (ogg []byte, ok bool, err error) {
	if !ffmpeg.Supported() {
		return nil, false, nil
	}
	ogg, err = ffmpeg.ConvertBytes(ctx, mp3, ".ogg", nil, []string{"-vn", "-c:a", "libopus", "-b:a", "32k"}, "audio/mpeg")
	if err != nil {
		return nil, false, fmt.Errorf("converting voice to Ogg/Opus: %w", err)
	} else if len(ogg) == 0 {
		return nil, false, fmt.Errorf("converting voice to Ogg/Opus: ffmpeg wrote nothing")
	}
	// The waveform is a nicety: a voice message without one still plays.
	wave, _ := waveform.GenerateBytes(ctx, mp3, "audio/mpeg", waveformSamples, waveformMax)
	content.Info.MimeType = "audio/ogg"
	content.Info.Size = len(ogg)
	content.Body, content.FileName = "voice.ogg", "voice.ogg"
	content.MSC1767Audio = &event.MSC1767Audio{Duration: content.Info.Duration, Waveform: wave}
	content.MSC3245Voice = &event.MSC3245Voice{}
	return ogg, true, nil
}
