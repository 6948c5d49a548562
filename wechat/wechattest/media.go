package wechattest

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Downloads fail the way the real server fails them: a request without a
// valid session gets 200 with an empty body (clients must treat an empty
// body as an error). An unknown message or media id gets 404.

// mediaMsgLocked finds the message a download names (MsgID, or msgid as
// ItChat sends it).
func (s *Server) mediaMsgLocked(req *request) *storedMsg {
	v := req.query.Get("MsgID")
	if v == "" {
		v = req.query.Get("msgid")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	return s.acct.msgs[id]
}

// serveDownload answers with data, or 404 when there is none.
func serveDownload(req *request, data []byte, contentType string) {
	if data == nil {
		http.NotFound(req.w, req.r)
		return
	}
	if contentType == "" {
		contentType = http.DetectContentType(data)
	}
	writeBytes(req.w, contentType, data)
}

// lockDownload takes the server's lock and authenticates a download. It
// returns the session with the lock still held (the caller unlocks), or
// answers the empty failure and returns nil with the lock released.
func (s *Server) lockDownload(req *request, spec authSpec) *session {
	s.mu.Lock()
	sess, _ := s.authLocked(req, nil, spec)
	if sess == nil {
		s.mu.Unlock()
		writeEmpty(req.w)
	}
	return sess
}

// handleGetMsgImg serves images and stickers: the original without type,
// the thumbnail (or a video's poster) with type=slave, the full picture
// with type=big.
func (s *Server) handleGetMsgImg(req *request) {
	sess := s.lockDownload(req, authSpec{skey: true})
	if sess == nil {
		return
	}
	var data []byte
	if sm := s.mediaMsgLocked(req); sm != nil {
		video := sm.Type == msgVideo || sm.Type == msgMicroVideo
		switch {
		case req.query.Get("type") == "slave" || video:
			data = sm.Thumb
			if data == nil && len(sm.Media) > 0 {
				data = thumbnail(sm.Media)
			}
		default:
			data = sm.Media
		}
	}
	s.mu.Unlock()
	serveDownload(req, data, "")
}

// handleGetVoice serves a voice message as MP3.
func (s *Server) handleGetVoice(req *request) {
	sess := s.lockDownload(req, authSpec{skey: true})
	if sess == nil {
		return
	}
	var data []byte
	if sm := s.mediaMsgLocked(req); sm != nil && sm.Type == msgVoice {
		data = sm.Media
	}
	s.mu.Unlock()
	serveDownload(req, data, "audio/mpeg")
}

// handleGetVideo serves a video. Like the real server it needs a Range
// header (bytes=0- works); without one it answers 416.
func (s *Server) handleGetVideo(req *request) {
	sess := s.lockDownload(req, authSpec{skey: true})
	if sess == nil {
		return
	}
	var data []byte
	if sm := s.mediaMsgLocked(req); sm != nil && (sm.Type == msgVideo || sm.Type == msgMicroVideo) {
		data = sm.Media
	}
	if !strings.HasPrefix(req.r.Header.Get("Range"), "bytes=") {
		s.violationLocked(req.endpoint, "no Range header (send Range: bytes=0-)")
		s.mu.Unlock()
		http.Error(req.w, "range required", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	s.mu.Unlock()
	if data == nil {
		http.NotFound(req.w, req.r)
		return
	}
	req.w.Header().Set("Content-Type", "video/mp4")
	http.ServeContent(req.w, req.r, "", time.Time{}, bytes.NewReader(data))
}

// handleGetMedia serves a file on the file host. It needs sender,
// mediaid, encryfilename, fromuser (the uin), pass_ticket and the
// webwx_data_ticket cookie's value.
func (s *Server) handleGetMedia(req *request) {
	sess := s.lockDownload(req, authSpec{passTicket: true})
	if sess == nil {
		return
	}
	q := req.query
	why := ""
	sm := s.acct.files[q.Get("mediaid")]
	switch {
	case q.Get("fromuser") != strconv.FormatInt(sess.uin, 10):
		why = "fromuser is not the uin"
	case q.Get("webwx_data_ticket") == "" || q.Get("webwx_data_ticket") != req.cookies["webwx_data_ticket"] ||
		q.Get("webwx_data_ticket") != sess.dataTicket:
		why = "webwx_data_ticket missing or not the cookie's value"
	case q.Get("encryfilename") == "":
		why = "encryfilename missing"
	case sm != nil && q.Get("sender") != s.renderMsgLocked(sess, sm).FromUserName:
		why = "sender is not the message's FromUserName"
	}
	if why != "" {
		s.violationLocked(req.endpoint, why)
		s.mu.Unlock()
		writeEmpty(req.w)
		return
	}
	s.mu.Unlock()
	if sm == nil {
		http.NotFound(req.w, req.r)
		return
	}
	req.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": sm.FileName}))
	serveDownload(req, sm.Media, "application/octet-stream")
}

// handleGetIcon serves a person's avatar. A group member who is not a
// friend needs chatroomid, the group's EncryChatRoomId: the web client
// builds such a member's avatar URL with it (protocol reference §3.5, §6),
// and nothing in the protocol says the group's UserName works there (it
// does in webwxbatchgetcontact). The person of a friend request or card
// needs the message's msgid. What is refused gets the empty 200 every
// failed download gets.
func (s *Server) handleGetIcon(req *request) {
	sess := s.lockDownload(req, authSpec{skey: true})
	if sess == nil {
		return
	}
	id, known := sess.ids[req.query.Get("username")]
	e := s.acct.contacts[id]
	if !known || e == nil {
		s.mu.Unlock()
		http.NotFound(req.w, req.r)
		return
	}
	if !s.iconAllowedLocked(sess, req, e) {
		s.violationLocked(req.endpoint, "avatar of a non-friend without a chatroomid (the group's EncryChatRoomId) or msgid that allows it")
		s.mu.Unlock()
		writeEmpty(req.w)
		return
	}
	data := s.avatarLocked(e)
	s.mu.Unlock()
	serveDownload(req, data, "image/jpeg")
}

func (s *Server) iconAllowedLocked(sess *session, req *request, e *contactEntry) bool {
	if e.ID == SelfID || e.Group || (e.Friend && !e.deleted) || isSpecialID(e.ID) {
		return true
	}
	if id, ok := sess.encryIDs[req.query.Get("chatroomid")]; ok {
		if g := s.acct.contacts[id]; g.Group && !g.deleted && g.hasMember(e.ID) {
			return true
		}
	}
	sm := s.mediaMsgLocked(req)
	return sm != nil && sm.strangerID == e.ID
}

// handleGetHeadImg serves a group's avatar.
func (s *Server) handleGetHeadImg(req *request) {
	sess := s.lockDownload(req, authSpec{skey: true})
	if sess == nil {
		return
	}
	id, known := sess.ids[req.query.Get("username")]
	e := s.acct.contacts[id]
	if !known || e == nil || !e.Group {
		s.mu.Unlock()
		http.NotFound(req.w, req.r)
		return
	}
	data := s.avatarLocked(e)
	s.mu.Unlock()
	serveDownload(req, data, "image/jpeg")
}
