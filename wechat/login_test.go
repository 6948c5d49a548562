package wechat

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSLogin(t *testing.T) {
	qr, err := parseJSLogin(`window.QRLogin.code = 200; window.QRLogin.uuid = "4ZdlSe0vKQ==";`)
	require.NoError(t, err)
	assert.Equal(t, "4ZdlSe0vKQ==", qr.UUID)
	assert.Equal(t, "https://login.weixin.qq.com/l/4ZdlSe0vKQ==", qr.Payload)

	for name, body := range map[string]string{
		"no uuid":      `window.QRLogin.code = 200;`,
		"refused":      `window.QRLogin.code = 400; window.QRLogin.uuid = "x==";`,
		"html instead": `<html>blocked</html>`,
		"hostile uuid": `window.QRLogin.code = 200; window.QRLogin.uuid = "a/../b";`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseJSLogin(body)
			assert.ErrorIs(t, err, ErrUnexpectedResponse)
		})
	}
}

func TestParsePoll(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    PollResult
		wantErr bool
	}{
		{"waiting", `window.code=408;`, PollResult{Code: 408}, false},
		{"scanned with avatar", `window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQ';`, PollResult{Code: 201, Avatar: []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10}}, false},
		{"scanned with broken avatar", `window.code=201;window.userAvatar = 'data:img/jpg;base64,%%%';`, PollResult{Code: 201}, false},
		{"confirmed", `window.code=200;
window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A8qwapRV_lQ44viWM0mZmnpm@qrticket_0&uuid=gYiEFqEQdw==&lang=zh_CN&scan=1479893365";`,
			PollResult{Code: 200, RedirectURI: "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A8qwapRV_lQ44viWM0mZmnpm@qrticket_0&uuid=gYiEFqEQdw==&lang=zh_CN&scan=1479893365"}, false},
		{"confirmed without redirect", `window.code=200;`, PollResult{}, true},
		{"cancelled", `window.code=202;`, PollResult{Code: 202}, false},
		{"expired", `window.code=400;`, PollResult{Code: 400}, false},
		{"garbage", `<html>`, PollResult{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePoll(tt.body)
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrUnexpectedResponse)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParseLoginPage(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    LoginPageResponse
		wantErr bool
	}{
		{"ok", `<error><ret>0</ret><message></message><skey>@crypt_14ae1b12_b73ba2d8</skey><wxsid>Ljb8b4Yc6T</wxsid><wxuin>2088123456</wxuin><pass_ticket>PT%2Bx</pass_ticket><isgrayscale>1</isgrayscale></error>`,
			LoginPageResponse{Ret: 0, SKey: "@crypt_14ae1b12_b73ba2d8", WxSid: "Ljb8b4Yc6T", WxUin: 2088123456, PassTicket: "PT%2Bx", IsGrayScale: 1}, false},
		{"barred", `<error><ret>1203</ret><message>为了你的帐号安全，此微信号不能登录网页微信。</message></error>`,
			LoginPageResponse{Ret: 1203, Message: "为了你的帐号安全，此微信号不能登录网页微信。"}, false},
		{"html page", `<html><body>oops`, LoginPageResponse{}, true},
		{"empty", ``, LoginPageResponse{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLoginPage([]byte(tt.body))
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrUnexpectedResponse)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeDesktop, "desktop": ModeDesktop, "web": ModeWeb} {
		got, err := ParseMode(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseMode("uos")
	assert.Error(t, err)
}
