package wechat

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSyncCheck(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    SyncCheck
		wantErr error
	}{
		{"idle", `window.synccheck={retcode:"0",selector:"0"}`, SyncCheck{}, nil},
		{"messages", `window.synccheck={retcode:"0",selector:"2"}`, SyncCheck{Selector: 2}, nil},
		{"logged out", `window.synccheck={retcode:"1101",selector:"0"}`, SyncCheck{Retcode: 1101}, nil},
		{"unquoted with spaces", `window.synccheck={retcode: 0, selector: 7}`, SyncCheck{Selector: 7}, nil},
		{"negative", `window.synccheck={retcode:"-1",selector:"0"}`, SyncCheck{Retcode: -1}, nil},
		{"garbage", `<html>502 Bad Gateway</html>`, SyncCheck{}, ErrUnexpectedResponse},
		{"huge number", `window.synccheck={retcode:"99999999999999999999",selector:"0"}`, SyncCheck{}, ErrUnexpectedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSyncCheck(tt.body)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRetErrorMatching(t *testing.T) {
	tests := []struct {
		ret         int
		loggedOut   bool
		frequent    bool
		barred      bool
		isTransient bool
	}{
		{1100, true, false, false, false},
		{1101, true, false, false, false},
		{1102, true, false, false, false},
		{1205, false, true, false, true},
		{1203, false, false, true, false},
		{-1, false, false, false, true},
		{1, false, false, false, false},
	}
	for _, tt := range tests {
		err := error(&RetError{Endpoint: "webwxsync", Ret: tt.ret})
		assert.Equal(t, tt.loggedOut, errors.Is(err, ErrLoggedOut), tt.ret)
		assert.Equal(t, tt.frequent, errors.Is(err, ErrTooFrequent), tt.ret)
		assert.Equal(t, tt.barred, errors.Is(err, ErrLoginBarred), tt.ret)
		assert.Equal(t, tt.isTransient, isTransient(err), tt.ret)
	}
	assert.True(t, isTransient(&HTTPError{Endpoint: "synccheck", Status: 502}))
	assert.False(t, isTransient(&HTTPError{Endpoint: "synccheck", Status: 404}))
	assert.True(t, isTransient(&TimeoutError{Endpoint: "synccheck"}))
}

func TestMediaTypeFor(t *testing.T) {
	tests := []struct{ name, mime, want string }{
		{"a.jpg", "image/jpeg", "pic"},
		{"a.PNG", "", "pic"},
		{"a.gif", "image/gif", "doc"},
		{"x", "image/gif", "doc"},
		{"clip.mp4", "video/mp4", "video"},
		{"notes.pdf", "application/pdf", "doc"},
		{"a.webp", "image/webp", "doc"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mediaTypeFor(tt.name, tt.mime), tt.name)
	}
}
