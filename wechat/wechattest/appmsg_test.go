package wechattest

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestFileAppMsgForm: the web client names its appid in a file appmsg in
// web mode and none in desktop mode, where it also adds mod=desktop; the
// server takes either form but records the one that does not match the
// session's mode.
func TestFileAppMsgForm(t *testing.T) {
	tests := []struct {
		name          string
		desktop       bool
		appid         string
		modDesktop    bool
		wantViolation string
	}{
		{"web mode, web appid", false, "wxeb7ec651dd0aefa9", false, ""},
		{"web mode, no appid", false, "", false, `webwxsendappmsg: appmsg appid "", the web client sends "wxeb7ec651dd0aefa9" in this mode`},
		{"desktop mode, no appid", true, "", true, ""},
		{"desktop mode, web appid", true, "wxeb7ec651dd0aefa9", true, `webwxsendappmsg: appmsg appid "wxeb7ec651dd0aefa9", the web client sends "" in this mode`},
		{"desktop mode without mod=desktop", true, "", false, "webwxsendappmsg: query mod=desktop missing"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t, Config{})
			c.login(tt.desktop)
			c.init()
			data := patterned(3000)
			up := c.upload(uploadOpts{name: "notes.txt", data: data})
			require.NotEmpty(t, up[0].MediaId)
			content := "<appmsg appid='" + tt.appid + "' sdkver=''><title>notes.txt</title><des></des><action></action><type>6</type>" +
				"<content></content><url></url><lowurl></lowurl><appattach><totallen>3000</totallen><attachid>" + up[0].MediaId +
				"</attachid><fileext>txt</fileext></appattach><extinfo></extinfo></appmsg>"
			q := url.Values{"fun": {"async"}, "f": {"json"}}
			if tt.modDesktop {
				q.Set("mod", "desktop")
			}
			id := strconv.Itoa(100 + i)
			out := sendMedia(c, "webwxsendappmsg", q, wechat.OutMessage{Type: 6, Content: content, LocalID: id, ClientMsgId: id})
			assert.Equal(t, 0, out.BaseResponse.Ret, "the server takes both forms")
			if tt.wantViolation == "" {
				assert.Empty(t, s.Violations())
			} else {
				assert.Equal(t, []string{tt.wantViolation}, s.Violations())
			}
		})
	}
}
