package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// get fetches u; host, when set, goes in the Host header, as a client with
// a server override sends the real host names.
func get(t *testing.T, u, host string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

func TestRunAutoConfirm(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{
			"-listen", "127.0.0.1:0", "-auto-confirm", "-auto-confirm-delay", "10ms",
			"-log-level", "error", "-login-hold", "2s", "-mode", "desktop",
		}, func(_ *wechattest.Server, addr string) { addrs <- addr })
	}()
	base := "http://" + <-addrs

	body := get(t, base+"/jslogin?"+url.Values{
		"appid": {wechat.AppID}, "fun": {"new"}, "redirect_uri": {"https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop"},
	}.Encode(), "login.wx.qq.com")
	m := regexp.MustCompile(`uuid = "([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	var codes []string
	for range 5 {
		body = get(t, base+"/cgi-bin/mmwebwx-bin/login?"+url.Values{"uuid": {m[1]}, "tip": {"1"}, "loginicon": {"true"}}.Encode(), "login.wx.qq.com")
		codes = append(codes, body[:strings.Index(body, ";")])
		if strings.HasPrefix(body, "window.code=200;") {
			break
		}
	}
	assert.Contains(t, codes, "window.code=201")
	assert.Contains(t, codes, "window.code=200")

	var state map[string]any
	require.NoError(t, json.Unmarshal([]byte(get(t, base+"/_sim/state", "")), &state))
	assert.NotZero(t, state["self_uin"])

	cancel()
	select {
	case err := <-errc:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	badSeed := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badSeed, []byte("{"), 0o600))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad mode", []string{"-mode", "phone"}, "-mode"},
		{"bad group creation", []string{"-group-creation", "sometimes"}, "-group-creation"},
		{"bad log level", []string{"-log-level", "loud"}, "Unknown Level"},
		{"unknown flag", []string{"-nope"}, "not defined"},
		{"missing seed", []string{"-seed", filepath.Join(dir, "missing.json")}, "no such file"},
		{"bad seed", []string{"-seed", badSeed}, "bad.json"},
		{"bad listen address", []string{"-listen", "256.0.0.1:bad"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, nil)
			require.Error(t, err)
			assert.Contains(t, strings.ToLower(err.Error()), strings.ToLower(tt.want))
		})
	}
}

func TestLoadSeed(t *testing.T) {
	seed, err := loadSeed("")
	require.NoError(t, err)
	assert.Nil(t, seed)

	path := filepath.Join(t.TempDir(), "seed.json")
	data, err := json.Marshal(wechattest.Seed{Uin: 42, Self: wechattest.SeedContact{NickName: "Me"}, Contacts: []wechattest.SeedContact{{ID: "x", NickName: "X", Friend: true}}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	seed, err = loadSeed(path)
	require.NoError(t, err)
	assert.Equal(t, int64(42), seed.Uin)
	assert.Equal(t, "X", seed.Contacts[0].NickName)
}

func TestAutoConfirmStopsWithContext(t *testing.T) {
	srv := wechattest.New(wechattest.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		autoConfirm(ctx, srv, time.Hour, zerolog.Nop())
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("autoConfirm did not stop")
	}
	assert.False(t, sleep(ctx, time.Hour))
}
