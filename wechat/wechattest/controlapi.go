package wechattest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// controlPrefix is where Config.ControlAPI serves the control API.
const controlPrefix = "/_sim/"

// maxControlBody limits media posted to the control API.
const maxControlBody = 64 << 20

// ControlHandler returns the control API, an HTTP face of the controls for
// people trying the bridge with the standalone simulator. Paths are under
// /_sim/; POSTs take query parameters (and media as the body):
//
//	GET  /_sim/state                          account, logins, session, counters
//	POST /_sim/scan|confirm|cancel|expire     [?uuid=] default: the newest pending login
//	POST /_sim/inject-text?chat=&from=&text=
//	POST /_sim/inject-image?chat=&from=       body: the image
//	POST /_sim/inject-file?chat=&from=&name=  body: the file
//	POST /_sim/inject-voice?chat=&from=&ms=   body: the voice note (MP3), ms long
//	POST /_sim/inject-video?chat=&from=&seconds=
//	                                          body: the video (MP4); the poster is made up
//	POST /_sim/inject-emoticon?chat=&from=    body: the sticker (GIF, PNG or JPEG)
//	POST /_sim/inject-location?chat=&from=&label=&lat=&lng=   lat, lng in degrees
//	POST /_sim/inject-link?chat=&from=&title=&desc=&url=      desc optional
//	POST /_sim/friend-request?nick=&greeting=
//	POST /_sim/recall?chat=&from=&msgid=
//	POST /_sim/profile?nick=
//	POST /_sim/rename-group?group=&name=      the user renames a group on the phone
//	POST /_sim/add-member?group=&member=      the user adds a friend to a group on the phone
//	POST /_sim/end-session?ret=1101
//	POST /_sim/rotate-skey
//	POST /_sim/phone-offline?selector=2      synccheck answers it at once; webwxsync stays empty
//	POST /_sim/phone-online
//	POST /_sim/refuse-next-login?ret=&message=
//	POST /_sim/group-creation?mode=           how webwxcreatechatroom answers: "" (refused, the
//	                                          default, as for most accounts), allowed, too-frequent,
//	                                          created-anyway
//	POST /_sim/fail-next?endpoint=&n=&fault=  fault: http-500, reset, malformed, hang, too-frequent, lose-answer, slow-answer
//	GET  /_sim/sent | /_sim/uploads | /_sim/violations | /_sim/requests?endpoint=
//	GET  /_sim/phone/                         the phone as a web page (see handlePhone)
//
// A POST whose Origin names another site is refused with 403 (sameOriginPosts).
func (s *Server) ControlHandler() http.Handler { return s.control }

func (s *Server) newControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.state()) })
	for name, fn := range map[string]func(string) error{
		"scan": s.Scan, "confirm": s.Confirm, "cancel": s.CancelLogin, "expire": s.ExpireQR,
	} {
		mux.HandleFunc("POST /_sim/"+name, func(w http.ResponseWriter, r *http.Request) {
			uuid := r.URL.Query().Get("uuid")
			if uuid == "" {
				uuid = s.pendingUUID(r.Context())
			}
			if err := fn(uuid); err != nil {
				http.Error(w, err.Error(), http.StatusConflict)
				return
			}
			writeJSON(w, map[string]string{"uuid": uuid})
		})
	}
	mux.HandleFunc("POST /_sim/inject-text", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		writeMsgID(w, s.InjectText(q.Get("chat"), q.Get("from"), q.Get("text")))
	})
	mux.HandleFunc("POST /_sim/inject-image", func(w http.ResponseWriter, r *http.Request) {
		if data, ok := readControlBody(w, r); ok {
			writeMsgID(w, s.InjectImage(r.URL.Query().Get("chat"), r.URL.Query().Get("from"), data))
		}
	})
	mux.HandleFunc("POST /_sim/inject-file", func(w http.ResponseWriter, r *http.Request) {
		if data, ok := readControlBody(w, r); ok {
			q := r.URL.Query()
			writeMsgID(w, s.InjectFile(q.Get("chat"), q.Get("from"), q.Get("name"), data))
		}
	})
	s.handleInjectMoreKinds(mux)
	s.handlePhone(mux)
	mux.HandleFunc("POST /_sim/friend-request", func(w http.ResponseWriter, r *http.Request) {
		id, msgID := s.InjectFriendRequest(r.URL.Query().Get("nick"), r.URL.Query().Get("greeting"))
		writeJSON(w, map[string]string{"stranger_id": id, "msg_id": strconv.FormatInt(msgID, 10)})
	})
	mux.HandleFunc("POST /_sim/recall", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		id, err := strconv.ParseInt(q.Get("msgid"), 10, 64)
		if err != nil {
			http.Error(w, "msgid must be a number", http.StatusBadRequest)
			return
		}
		writeMsgID(w, s.InjectRecall(q.Get("chat"), q.Get("from"), id))
	})
	mux.HandleFunc("POST /_sim/profile", func(w http.ResponseWriter, r *http.Request) {
		s.ChangeProfile(r.URL.Query().Get("nick"))
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/rename-group", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := s.RenameGroup(q.Get("group"), q.Get("name")); err != nil {
			http.Error(w, err.Error()+": group must be a group's id and name not empty", http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/add-member", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := s.AddGroupMember(q.Get("group"), q.Get("member")); err != nil {
			http.Error(w, err.Error()+": group must be a group's id and member a friend's id", http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/end-session", func(w http.ResponseWriter, r *http.Request) {
		ret, _ := strconv.Atoi(r.URL.Query().Get("ret"))
		s.EndSession(ret)
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/rotate-skey", func(w http.ResponseWriter, r *http.Request) {
		s.RotateSKey()
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/phone-offline", func(w http.ResponseWriter, r *http.Request) {
		sel, err := strconv.Atoi(r.URL.Query().Get("selector"))
		if r.URL.Query().Has("selector") && (err != nil || sel < 1 || sel > 7) {
			http.Error(w, "selector must be a synccheck selector from 1 to 7", http.StatusBadRequest)
			return
		}
		s.PhoneOffline(sel)
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/phone-online", func(w http.ResponseWriter, r *http.Request) {
		s.PhoneOnline()
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/refuse-next-login", func(w http.ResponseWriter, r *http.Request) {
		ret, err := strconv.Atoi(r.URL.Query().Get("ret"))
		if err != nil {
			ret = retLoginBarred
		}
		s.RefuseNextLogin(ret, r.URL.Query().Get("message"))
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /_sim/group-creation", func(w http.ResponseWriter, r *http.Request) {
		mode := GroupCreation(r.URL.Query().Get("mode"))
		if !s.SetGroupCreation(mode) {
			http.Error(w, "mode must be empty (refused), allowed, too-frequent or created-anyway", http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]string{"group_creation": string(mode)})
	})
	mux.HandleFunc("POST /_sim/fail-next", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f, ok := ParseFault(q.Get("fault"))
		n, err := strconv.Atoi(q.Get("n"))
		if !ok || err != nil || q.Get("endpoint") == "" {
			http.Error(w, "endpoint, n and fault (http-500, reset, malformed, hang, too-frequent, lose-answer, slow-answer) are required", http.StatusBadRequest)
			return
		}
		s.FailNext(q.Get("endpoint"), n, f)
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /_sim/sent", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Sent()) })
	mux.HandleFunc("GET /_sim/violations", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Violations()) })
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Requests(r.URL.Query().Get("endpoint")))
	})
	mux.HandleFunc("GET /_sim/uploads", func(w http.ResponseWriter, r *http.Request) {
		ups := s.Uploads()
		for i := range ups {
			ups[i].Data = nil
		}
		writeJSON(w, ups)
	})
	return &sameOriginPosts{next: mux}
}

// sameOriginPosts refuses a POST that a browser sent from another site's
// page (its Origin names another host): now that a browser has the phone
// page open, any page it visits could otherwise end the session or inject
// messages. The page's own POSTs carry its origin; curl and the tests send
// none.
type sameOriginPosts struct{ next http.Handler }

func (h *sameOriginPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); r.Method == http.MethodPost && origin != "" {
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			http.Error(w, "the control API takes POSTs only from the simulator's own pages (Origin "+strconv.Quote(origin)+" is another site)", http.StatusForbidden)
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

func readControlBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	return data, true
}

func writeMsgID(w http.ResponseWriter, id int64) {
	writeJSON(w, map[string]string{"msg_id": strconv.FormatInt(id, 10)})
}

// pendingUUID returns the newest pending login's uuid, waiting briefly for
// one to appear.
func (s *Server) pendingUUID(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	uuid, _ := s.WaitForLogin(ctx)
	return uuid
}

// simState is the answer of GET /_sim/state.
type simState struct {
	SelfUin      int64          `json:"self_uin"`
	LoginCount   int            `json:"login_count"`
	PendingLogin string         `json:"pending_login,omitempty"`
	QRPayload    string         `json:"qr_payload,omitempty"`
	Session      *simSession    `json:"session,omitempty"`
	Contacts     []simContact   `json:"contacts"`
	SyncCheck    SyncCheckStats `json:"sync_check"`
	Sent         int            `json:"sent"`
	Violations   int            `json:"violations"`
	Events       int            `json:"events"`
}

type simSession struct {
	Alive   bool `json:"alive"`
	Ret     int  `json:"ret,omitempty"`
	Desktop bool `json:"desktop"`
}

type simContact struct {
	ID       string `json:"id"`
	UserName string `json:"user_name,omitempty"`
	NickName string `json:"nick_name"`
	Friend   bool   `json:"friend,omitempty"`
	Group    bool   `json:"group,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
}

func (s *Server) state() simState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := simState{
		SelfUin: s.acct.uin, LoginCount: s.logins.count, SyncCheck: s.rec.stats,
		Sent: len(s.rec.sent), Violations: len(s.rec.violations), Events: len(s.acct.log),
		Contacts: []simContact{},
	}
	if pl := s.newestPendingLocked(); pl != nil {
		st.PendingLogin, st.QRPayload = pl.uuid, qrPayloadPrefix+pl.uuid
	}
	if sess := s.current; sess != nil {
		st.Session = &simSession{Alive: sess.dead == 0, Ret: sess.dead, Desktop: sess.desktop}
	}
	for _, id := range s.acct.order {
		e := s.acct.contacts[id]
		c := simContact{ID: id, NickName: e.NickName, Friend: e.Friend, Group: e.Group, Deleted: e.deleted}
		if s.current != nil {
			c.UserName = s.current.names[id]
		}
		st.Contacts = append(st.Contacts, c)
	}
	return st
}
