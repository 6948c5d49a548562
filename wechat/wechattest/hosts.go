package wechattest

import (
	"net/http"
	"strings"
)

// The simulator routes by the Host header, like the real server: the
// account lives on one web host (Config.WebHost, wx2.qq.com by default)
// with its login., file. and webpush. hosts (reference §1), and the QR
// login pages are also served on login.weixin.qq.com and login.wx.qq.com
// (§2.1–2.3). Clients reach it through a transport that keeps the real
// host names (wechat.Config.ServerOverride), so their cookie jars and host
// selection are exercised as against the real servers.

// hostSet says which hosts serve which endpoints for an account.
type hostSet struct {
	Web, Login, File, Push string
}

// hostDomains is the table of reference §1 (the web client's confFactory):
// the first entry whose key the web host contains names the domain of the
// login., file. and webpush. hosts.
var hostDomains = []struct{ contains, domain string }{
	{"wx2.qq.com", "wx2.qq.com"},
	{"wx8.qq.com", "wx8.qq.com"},
	{"qq.com", "wx.qq.com"},
	{"web2.wechat.com", "web2.wechat.com"},
	{"wechat.com", "web.wechat.com"},
}

func newHostSet(web string) hostSet {
	web = strings.ToLower(web)
	for _, d := range hostDomains {
		if strings.Contains(web, d.contains) {
			return hostSet{Web: web, Login: "login." + d.domain, File: "file." + d.domain, Push: "webpush." + d.domain}
		}
	}
	return hostSet{Web: web, Login: "login.weixin.qq.com", File: "file.wx.qq.com", Push: "webpush.weixin.qq.com"}
}

// isLogin reports whether host serves the QR login pages.
func (h hostSet) isLogin(host string) bool {
	return host == h.Login || host == "login.weixin.qq.com" || host == "login.wx.qq.com"
}

// serves reports whether endpoint is served on host.
func (h hostSet) serves(endpoint, host string) bool {
	switch endpoint {
	case "jslogin", "qrcode", "l", "login":
		return h.isLogin(host)
	case "webwxpushloginurl":
		// OWC calls it on the web host, ItChat on login.weixin.qq.com
		// (reference §2.7); the cookies it needs decide the rest.
		return host == h.Web || h.isLogin(host)
	case "synccheck":
		return host == h.Push
	case "webwxuploadmedia", "webwxgetmedia":
		return host == h.File
	}
	return host == h.Web
}

// want names the host(s) that serve endpoint, for violation messages.
func (h hostSet) want(endpoint string) string {
	switch endpoint {
	case "jslogin", "qrcode", "l", "login":
		return h.Login + ", login.weixin.qq.com or login.wx.qq.com"
	case "webwxpushloginurl":
		return h.Web + " or a login host"
	case "synccheck":
		return h.Push
	case "webwxuploadmedia", "webwxgetmedia":
		return h.File
	}
	return h.Web
}

// isWeChatHost reports whether host belongs to Web WeChat at all.
func isWeChatHost(host string) bool {
	for _, d := range []string{"qq.com", "wechat.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// requestHost is the host a request names, lower case, without a port.
func requestHost(r *http.Request) string {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(host)
}

// answerWrongHost answers an endpoint called on a Web WeChat host that does
// not serve it for this account. The account's session exists only on its
// own hosts, so the answer is the one for "no session here" in the
// endpoint's own format:
//   - synccheck: retcode 1100, what the real server answers on the wrong
//     push host (reference §1, liuwons/wxBot#130);
//   - JSON APIs: Ret 1100, the same "session does not exist" code;
//   - downloads and logout: 200 with an empty body, how the real server
//     fails a download;
//   - webwxnewloginpage: ret -14 "check ticket failed", since the ticket
//     is known only on the host the redirect_uri names;
//   - webwxpushloginurl: "device authinfo invalid", the reported failure;
//   - the QR login pages: 404, as they are not served on web hosts.
func (s *Server) answerWrongHost(req *request, host string) {
	s.violation(req.endpoint, "called on host "+host+"; the real server serves it on "+s.hosts.want(req.endpoint))
	switch req.endpoint {
	case "synccheck":
		writeJS(req.w, syncCheckBody(retSessionNotExist, selectorNone))
		return
	case "jslogin", "qrcode", "l", "login":
		http.NotFound(req.w, req.r)
		return
	case "webwxnewloginpage":
		writeLoginPageError(req.w, http.StatusOK, retTicketError, "check ticket failed")
		return
	case "webwxpushloginurl":
		writeJSON(req.w, pushLoginAnswer{Ret: "1", Msg: "device authinfo invalid"})
		return
	}
	if kindOf(req.endpoint) == kindMedia {
		writeEmpty(req.w)
		return
	}
	writeError(req, retSessionNotExist, "")
}
