package wechat

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostsFor(t *testing.T) {
	tests := []struct {
		web  string
		want Hosts
	}{
		{"wx2.qq.com", Hosts{"wx2.qq.com", "login.wx2.qq.com", "file.wx2.qq.com", "webpush.wx2.qq.com"}},
		{"wx8.qq.com", Hosts{"wx8.qq.com", "login.wx8.qq.com", "file.wx8.qq.com", "webpush.wx8.qq.com"}},
		{"wx.qq.com", Hosts{"wx.qq.com", "login.wx.qq.com", "file.wx.qq.com", "webpush.wx.qq.com"}},
		{"WX.QQ.COM", Hosts{"wx.qq.com", "login.wx.qq.com", "file.wx.qq.com", "webpush.wx.qq.com"}},
		{"web2.wechat.com", Hosts{"web2.wechat.com", "login.web2.wechat.com", "file.web2.wechat.com", "webpush.web2.wechat.com"}},
		{"web.wechat.com", Hosts{"web.wechat.com", "login.web.wechat.com", "file.web.wechat.com", "webpush.web.wechat.com"}},
		{"example.org", Hosts{"example.org", "login.weixin.qq.com", "file.wx.qq.com", "webpush.weixin.qq.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.web, func(t *testing.T) {
			assert.Equal(t, tt.want, HostsFor(tt.web))
		})
	}
}

func TestRouterURLs(t *testing.T) {
	var r router
	tests := []struct {
		name  string
		build func() (string, error)
		want  string
	}{
		{"api", func() (string, error) {
			return r.api("webpush.wx2.qq.com", "synccheck", url.Values{"skey": {"@crypt_1"}}), nil
		}, "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?skey=%40crypt_1"},
		{"page", func() (string, error) {
			return r.page("login.wx.qq.com", "/jslogin", nil), nil
		}, "https://login.wx.qq.com/jslogin"},
		{"redirect_uri from the poll keeps its host", func() (string, error) {
			return r.absolute("wx.qq.com", "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u&lang=zh_CN&scan=1")
		}, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u&lang=zh_CN&scan=1"},
		{"relative avatar URL", func() (string, error) {
			return r.absolute("wx2.qq.com", "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a")
		}, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.build()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
