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

func TestRouterOverride(t *testing.T) {
	tests := []struct {
		name     string
		override string
		build    func(r router) (string, error)
		want     string
	}{
		{"no override", "", func(r router) (string, error) {
			return r.api("webpush.wx2.qq.com", "synccheck", url.Values{"skey": {"@crypt_1"}}), nil
		}, "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?skey=%40crypt_1"},
		{"override keeps path and query", "http://127.0.0.1:9000", func(r router) (string, error) {
			return r.api("file.wx2.qq.com", "webwxuploadmedia", url.Values{"f": {"json"}}), nil
		}, "http://127.0.0.1:9000/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json"},
		{"override with a base path", "http://127.0.0.1:9000/sim/", func(r router) (string, error) {
			return r.page("login.wx.qq.com", "/jslogin", nil), nil
		}, "http://127.0.0.1:9000/sim/jslogin"},
		{"redirect_uri from the poll is rewritten", "http://127.0.0.1:9000", func(r router) (string, error) {
			return r.absolute("wx.qq.com", "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u&lang=zh_CN&scan=1")
		}, "http://127.0.0.1:9000/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u&lang=zh_CN&scan=1"},
		{"relative avatar URL", "", func(r router) (string, error) {
			return r.absolute("wx2.qq.com", "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a")
		}, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newRouter(tt.override)
			require.NoError(t, err)
			got, err := tt.build(r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRouterRejectsBadOverride(t *testing.T) {
	for _, bad := range []string{"ftp://x", "127.0.0.1:9000", "http://", "::"} {
		_, err := newRouter(bad)
		assert.Error(t, err, bad)
	}
}
