package msgconv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/wechat"
)

// errReader fails with err once its data is read.
type errReader struct {
	data string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestDownloadLimit(t *testing.T) {
	body := func(data string, length int64) func(context.Context) (*wechat.Download, error) {
		return func(context.Context) (*wechat.Download, error) {
			return &wechat.Download{ReadCloser: io.NopCloser(strings.NewReader(data)), ContentType: "text/plain", Length: length}, nil
		}
	}
	tests := []struct {
		name    string
		fetch   func(context.Context) (*wechat.Download, error)
		limit   int64
		want    string
		wantErr error
	}{
		{"at the limit", body("0123456789", 10), 10, "0123456789", nil},
		{"unknown length at the limit", body("0123456789", -1), 10, "0123456789", nil},
		{"announced above the limit", body("0123456789", 11), 10, "", errTooLarge},
		{"unknown length above the limit", body("0123456789x", -1), 10, "", errTooLarge},
		{"length lies", body("0123456789x", 5), 10, "", errTooLarge},
		{"the wechat client refused it", func(context.Context) (*wechat.Download, error) {
			return nil, fmt.Errorf("%w: webwxgetmedia announced 11 bytes", wechat.ErrTooLarge)
		}, 10, "", errTooLarge},
		{"the wechat client stopped reading", func(context.Context) (*wechat.Download, error) {
			return &wechat.Download{ReadCloser: io.NopCloser(&errReader{"01234", wechat.ErrTooLarge}), Length: -1}, nil
		}, 10, "", errTooLarge},
		{"other failures stay what they are", func(context.Context) (*wechat.Download, error) {
			return nil, wechat.ErrLoggedOut
		}, 10, "", wechat.ErrLoggedOut},
		{"empty", body("", 0), 10, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _, err := download(t.Context(), tt.fetch, tt.limit)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				if tt.wantErr != errTooLarge {
					assert.NotErrorIs(t, err, errTooLarge)
				}
			case tt.want == "":
				require.Error(t, err, "an empty body is an error")
				assert.False(t, errors.Is(err, errTooLarge))
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(data))
			}
		})
	}
}

func TestTooLargeNotice(t *testing.T) {
	tests := []struct {
		name    string
		content wechat.Content
		what    string
		limit   int64
		want    string
	}{
		{"video", &wechat.Video{}, "a video", 100 << 20,
			"Sent a video that is larger than the bridge's limit of 100 MiB; see it on your phone."},
		{"file with its name", &wechat.File{Name: "big.zip"}, "a file", 1000,
			`Sent the file "big.zip", which is larger than the bridge's limit of 1000 bytes; see it on your phone.`},
		{"hostile file name", &wechat.File{Name: "../../x\u202e\n.zip"}, "a file", 1 << 20,
			`Sent the file "x.zip", which is larger than the bridge's limit of 1 MiB; see it on your phone.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tooLargeNotice(tt.content, tt.what, tt.limit))
		})
	}
}

func TestMediaContentFileName(t *testing.T) {
	tests := []struct {
		name     string
		content  wechat.Content
		fileName string
		mime     string
		want     string
		wantType event.MessageType
	}{
		{"file", &wechat.File{Name: "report Q3.txt", Ext: "txt"}, "report Q3.txt", "text/plain", "report Q3.txt", event.MsgFile},
		{"path traversal and an override", &wechat.File{Name: "../../etc/passwd\u202e.exe", Ext: "exe"}, "../../etc/passwd\u202e.exe",
			"application/octet-stream", "passwd.exe", event.MsgFile},
		{"file without a name", &wechat.File{Ext: "pdf"}, "", "application/pdf", "file.pdf", event.MsgFile},
		{"name without an extension gets <fileext>", &wechat.File{Name: "notes", Ext: "md"}, "notes", "text/plain", "notes.md", event.MsgFile},
		{"hidden file", &wechat.File{Name: ".env", Ext: "env"}, ".env", "text/plain", "file.env", event.MsgFile},
		{"hostile <fileext>", &wechat.File{Name: "x", Ext: "/../../y"}, "x", "text/plain", "x", event.MsgFile},
		{"overlong name", &wechat.File{Name: strings.Repeat("a", 300) + ".pdf", Ext: "pdf"}, strings.Repeat("a", 300) + ".pdf",
			"application/pdf", strings.Repeat("a", maxFileNameLen-4) + ".pdf", event.MsgFile},
		{"image", &wechat.Image{}, "image", "image/png", "image.png", event.MsgImage},
		{"video", &wechat.Video{}, "video.mp4", "video/mp4", "video.mp4", event.MsgVideo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mediaContent(tt.content, tt.fileName, tt.mime, []byte("data"))
			assert.Equal(t, tt.want, c.Body)
			assert.Equal(t, tt.want, c.FileName)
			assert.Equal(t, tt.wantType, c.MsgType)
			assert.Equal(t, 4, c.Info.Size)
		})
	}
}
