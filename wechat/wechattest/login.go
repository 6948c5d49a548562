package wechattest

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// loginStatus is where a QR or push login stands.
type loginStatus int

const (
	loginWaiting   loginStatus = iota // issued, nothing happened yet
	loginScanned                      // QR scanned, waiting for Confirm
	loginConfirmed                    // confirmed; the ticket is valid
	loginCancelled                    // cancelled on the phone
	loginExpired                      // QR expired
	loginUsed                         // the ticket was used by webwxnewloginpage
	loginNone      loginStatus = -1   // nothing reported to a poll yet
)

// pendingLogin is one uuid issued by jslogin or webwxpushloginurl.
type pendingLogin struct {
	uuid     string
	push     bool
	desktop  bool // jslogin's redirect_uri or the push login had mod=desktop
	status   loginStatus
	reported loginStatus // the last status a poll answered
	polls    int
	ticket   string
	scanTime time.Time
}

type loginRefusal struct {
	ret int
	msg string
}

type loginState struct {
	byUUID  map[string]*pendingLogin
	order   []*pendingLogin
	tickets map[string]*pendingLogin
	refusal *loginRefusal
	// refusePush makes the next push login fail as WeChat refuses one.
	refusePush bool
	count      int
}

func newLoginState() loginState {
	return loginState{byUUID: make(map[string]*pendingLogin), tickets: make(map[string]*pendingLogin)}
}

func (s *Server) addLoginLocked(push, desktop bool) *pendingLogin {
	pl := &pendingLogin{uuid: newUUID(), push: push, desktop: desktop, reported: loginNone}
	s.logins.byUUID[pl.uuid] = pl
	s.logins.order = append(s.logins.order, pl)
	s.notifyLocked()
	return pl
}

// Messages of webwxnewloginpage refusals.
const (
	barredMsg      = "为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。"
	envAbnormalMsg = "当前登录环境异常。为了你的帐号安全，暂时不能登录web微信。"
)

// handleJSLogin issues a login uuid. It needs the web client's appid and
// a redirect_uri; fun=new, which every client sends, is only recorded when
// missing.
func (s *Server) handleJSLogin(req *request) {
	redirect := req.param("redirect_uri")
	if req.param("appid") != webAppID || redirect == "" {
		s.violation(req.endpoint, "appid="+webAppID+" and redirect_uri are required")
		writeJS(req.w, `window.QRLogin.code = 400; window.QRLogin.error = "invalid request";`)
		return
	}
	if req.param("fun") != "new" {
		s.violation(req.endpoint, "fun=new missing (the official client sends it)")
	}
	s.mu.Lock()
	pl := s.addLoginLocked(false, strings.Contains(redirect, "mod=desktop"))
	s.mu.Unlock()
	writeJS(req.w, fmt.Sprintf(`window.QRLogin.code = 200; window.QRLogin.uuid = "%s";`, pl.uuid))
}

// knownLoginUUID reports whether the uuid in the path names a login the
// server issued. It answers 404 when not.
func (s *Server) knownLoginUUID(req *request) bool {
	s.mu.Lock()
	_, ok := s.logins.byUUID[req.arg]
	s.mu.Unlock()
	if !ok {
		http.NotFound(req.w, req.r)
	}
	return ok
}

// handleQRCode serves a picture for /qrcode/<uuid>. It is not a real QR
// code: clients that want one render qrPayloadPrefix + uuid.
func (s *Server) handleQRCode(req *request) {
	if !s.knownLoginUUID(req) {
		return
	}
	writeBytes(req.w, "image/png", qrPicture(req.arg))
}

// handleQRLink answers /l/<uuid>, what the QR code encodes.
func (s *Server) handleQRLink(req *request) {
	if !s.knownLoginUUID(req) {
		return
	}
	page := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>wechattest</title></head><body>" +
		"<p>This is the WeChat simulator's login link for " + html.EscapeString(req.arg) + ".</p>" +
		"<p>Scan and confirm it with the simulator's control API (POST /_sim/confirm) or run it with -auto-confirm.</p>" +
		"</body></html>"
	writeBody(req.w, http.StatusOK, "text/html; charset=utf-8", page)
}

// handleLoginPoll is the long poll of the login page: 408 after the hold,
// at once 201 (scanned), 200 (confirmed), 202 (cancelled) or 400 (expired,
// used or unknown).
func (s *Server) handleLoginPoll(req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl := s.logins.byUUID[req.query.Get("uuid")]
	if pl == nil {
		writeJS(req.w, "window.code=400;")
		return
	}
	pl.polls++
	if pl.push && pl.polls == 1 && req.query.Get("tip") != "1" {
		s.violationLocked(req.endpoint, "first poll of a push login without tip=1")
	}
	timer := time.NewTimer(s.cfg.LoginPollHold)
	defer timer.Stop()
	for {
		if body, ok := s.pollAnswerLocked(pl, req.query.Get("loginicon") == "true"); ok {
			writeJS(req.w, body)
			return
		}
		if !s.waitLocked(req.r.Context(), timer.C) {
			break
		}
	}
	writeJS(req.w, "window.code=408;")
}

func (s *Server) pollAnswerLocked(pl *pendingLogin, icon bool) (string, bool) {
	switch pl.status {
	case loginWaiting:
		return "", false
	case loginScanned:
		if pl.reported == loginScanned {
			return "", false
		}
		pl.reported = loginScanned
		body := "window.code=201;"
		if icon {
			avatar := base64.StdEncoding.EncodeToString(s.avatarLocked(s.acct.contacts[SelfID]))
			body += "window.userAvatar = 'data:img/jpg;base64," + avatar + "';"
		}
		return body, true
	case loginConfirmed:
		pl.reported = loginConfirmed
		redirect := "https://" + s.cfg.WebHost + apiPath + "webwxnewloginpage?ticket=" + pl.ticket +
			"&uuid=" + pl.uuid + "&lang=zh_CN&scan=" + strconv.FormatInt(pl.scanTime.Unix(), 10)
		return "window.code=200;\nwindow.redirect_uri=\"" + redirect + "\";", true
	case loginCancelled:
		pl.reported = loginCancelled
		return "window.code=202;", true
	}
	pl.reported = pl.status
	return "window.code=400;", true
}

// handleNewLoginPage turns a confirmed ticket into a session. Like the
// real server it goes by the UOS headers (client-version, extspam) to
// tell a desktop login from a web one, and answers a desktop login with
// 301 without a Location header, the real server's quirk. Only ticket and
// uuid are required; where a request differs from the official client's
// form (fun=new&version=v2, &mod=desktop with the headers) the difference
// is recorded as a violation and the login goes ahead, as openwechat's
// and ItChat's do against the real server.
func (s *Server) handleNewLoginPage(req *request) {
	q := req.query
	desktop := req.r.Header.Get("client-version") == uosClientVersion &&
		req.r.Header.Get("extspam") == uosExtspam
	status := http.StatusOK
	if desktop {
		status = http.StatusMovedPermanently
	}
	if q.Get("ticket") == "" || q.Get("uuid") == "" {
		s.violation(req.endpoint, "ticket and uuid are required")
		writeLoginPageError(req.w, status, 1, "param error")
		return
	}
	for _, p := range []struct{ name, want string }{{"fun", "new"}, {"version", "v2"}} {
		if q.Get(p.name) != p.want {
			s.violation(req.endpoint, p.name+"="+p.want+" missing (the official client sends it)")
		}
	}
	switch modDesktop := q.Get("mod") == "desktop"; {
	case modDesktop && !desktop:
		s.violation(req.endpoint, "mod=desktop without the client-version and extspam headers (a web login)")
	case desktop && !modDesktop:
		s.violation(req.endpoint, "desktop headers without mod=desktop (the official client sends both)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pl := s.logins.tickets[q.Get("ticket")]
	if pl == nil || pl.uuid != q.Get("uuid") || pl.status != loginConfirmed {
		s.violationLocked(req.endpoint, "unknown or already used ticket")
		writeLoginPageError(req.w, status, retTicketError, "check ticket failed")
		return
	}
	delete(s.logins.tickets, pl.ticket)
	pl.status = loginUsed
	s.notifyLocked()
	if desktop != pl.desktop {
		s.violationLocked(req.endpoint, "desktop mode here does not match the login's redirect_uri")
	}
	if r := s.logins.refusal; r != nil {
		s.logins.refusal = nil
		writeLoginPageError(req.w, status, r.ret, r.msg)
		return
	}
	if !desktop && s.cfg.WebLoginBarred {
		writeLoginPageError(req.w, status, retLoginBarred, barredMsg)
		return
	}
	sess := s.newSessionLocked(desktop)
	s.logins.count++
	mode := "web"
	if desktop {
		mode = "desktop"
	}
	s.noteLocked("login", "Logged in ("+mode+" mode, session "+strconv.Itoa(s.logins.count)+")")
	writeCookies(req.w, s.loginCookiesLocked(sess))
	body := "<error><ret>0</ret><message></message><skey>" + html.EscapeString(sess.skey) +
		"</skey><wxsid>" + html.EscapeString(sess.sid) + "</wxsid><wxuin>" + strconv.FormatInt(sess.uin, 10) +
		"</wxuin><pass_ticket>" + html.EscapeString(sess.issuedPassTicket()) + "</pass_ticket><isgrayscale>1</isgrayscale></error>"
	writeBody(req.w, status, "text/xml; charset=UTF-8", body)
	s.log.Info().Int64("uin", sess.uin).Bool("desktop", desktop).Int("login_count", s.logins.count).Msg("Session started")
}

func writeLoginPageError(w http.ResponseWriter, status, ret int, msg string) {
	body := "<error><ret>" + strconv.Itoa(ret) + "</ret><message>" + html.EscapeString(msg) + "</message></error>"
	writeBody(w, status, "text/xml; charset=UTF-8", body)
}

// pushLoginAnswer is webwxpushloginurl's answer; ret is a string.
type pushLoginAnswer struct {
	Ret  string `json:"ret"`
	Msg  string `json:"msg"`
	UUID string `json:"uuid,omitempty"`
}

// handlePushLogin starts a login the phone only has to confirm. It needs
// the account's uin and the wxuin and webwx_auth_ticket cookies of an
// earlier login.
func (s *Server) handlePushLogin(req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	uin := strconv.FormatInt(s.acct.uin, 10)
	if s.logins.refusePush {
		s.logins.refusePush = false
		writeJSON(req.w, pushLoginAnswer{Ret: "1", Msg: "device authinfo invalid"})
		return
	}
	if req.query.Get("uin") != uin || req.cookies["wxuin"] != uin || !s.acct.authTickets[req.cookies["webwx_auth_ticket"]] {
		s.violationLocked(req.endpoint, "push login needs uin and the wxuin and webwx_auth_ticket cookies of the account")
		writeJSON(req.w, pushLoginAnswer{Ret: "1", Msg: "device authinfo invalid"})
		return
	}
	pl := s.addLoginLocked(true, req.query.Get("mod") == "desktop")
	writeJSON(req.w, pushLoginAnswer{Ret: "0", Msg: "all ok", UUID: pl.uuid})
}

// handleLogout ends the session. It answers 200 with an empty body.
func (s *Server) handleLogout(req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, _ := s.authLocked(req, nil, authSpec{skey: true}); sess != nil {
		sess.dead = retSessionInvalid
		s.notifyLocked()
		s.log.Info().Int64("uin", sess.uin).Msg("Session logged out")
	}
	writeEmpty(req.w)
}
