package wechattest

import (
	"embed"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// phonePrefix is where the control API serves the phone page.
const phonePrefix = controlPrefix + "phone/"

// phoneAssets are the page's files; nothing on the page is fetched from
// anywhere else.
//
//go:embed phone
var phoneAssets embed.FS

// handlePhone adds the phone page to the control API: a web page that
// plays the account's phone (login, chats, the account's events) with the
// control API's own POST routes, plus the read-only JSON it renders:
//
//	GET /_sim/phone/                 the page (index.html, phone.css, phone.js)
//	GET /_sim/phone/api/state        login, chats with unread counts, notes, armed faults
//	GET /_sim/phone/api/chat?id=     one chat's messages as the phone shows them
//	GET /_sim/phone/api/media?msgid= a message's image or file
//	GET /_sim/phone/api/live         Server-Sent Events: "change" after every state change
//
// It answers only requests from loopback addresses.
func (s *Server) handlePhone(mux *http.ServeMux) {
	assets, _ := fs.Sub(phoneAssets, "phone") // a valid, embedded directory: Sub cannot fail
	files := http.StripPrefix(phonePrefix, http.FileServerFS(assets))
	mux.Handle("GET "+phonePrefix, loopbackOnly(files))
	mux.Handle("GET "+phonePrefix+"api/state", loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.phoneState())
	})))
	mux.Handle("GET "+phonePrefix+"api/chat", loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chat, ok := s.phoneChat(r.URL.Query().Get("id"))
		if !ok {
			http.Error(w, "no such chat: open one from the chat list", http.StatusNotFound)
			return
		}
		writeJSON(w, chat)
	})))
	mux.Handle("GET "+phonePrefix+"api/media", loopbackOnly(http.HandlerFunc(s.servePhoneMedia)))
	mux.Handle("GET "+phonePrefix+"api/live", loopbackOnly(http.HandlerFunc(s.servePhoneLive)))
}

// loopbackOnly refuses requests that do not come from a loopback address,
// in case the simulator listens on more than loopback.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "the phone page answers only on loopback: open it on the machine that runs the simulator", http.StatusForbidden)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'")
		h.ServeHTTP(w, r)
	})
}

// servePhoneMedia serves the media of a message (an image, a file) for
// the page to show or download.
func (s *Server) servePhoneMedia(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("msgid"), 10, 64)
	if err != nil {
		http.Error(w, "msgid must be a message id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	sm := s.acct.msgs[id]
	var data []byte
	var name string
	if sm != nil {
		data, name = sm.Media, sm.FileName
	}
	s.mu.Unlock()
	if len(data) == 0 {
		http.Error(w, "that message has no media", http.StatusNotFound)
		return
	}
	// Only pictures are shown inline; anything else (a file, or media
	// that sniffs as HTML) is a download, so that it cannot run as a page.
	ctype := http.DetectContentType(data)
	if !strings.HasPrefix(ctype, "image/") || name != "" {
		if name == "" {
			name = "media-" + strconv.FormatInt(id, 10)
		}
		ctype = "application/octet-stream"
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(data)
}
