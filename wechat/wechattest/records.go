package wechattest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Request is one request the server received, as recorded for tests.
type Request struct {
	Method string
	Host   string // the Host header, without a port
	Path   string
	Query  url.Values
	// RawQuery is the query as it came, before decoding.
	RawQuery string
	Header   http.Header
	Body     []byte
	Cookies  map[string]string
	Time     time.Time
}

// SentMessage is one message a client sent through a send endpoint and the
// server accepted.
type SentMessage struct {
	Endpoint string
	Msg      OutMessage
	MsgID    int64
	ToID     string // seed id of ToUserName
}

// Upload is one finished upload (all chunks received). MediaID is empty
// when the server refused the assembled file; Violations says why.
type Upload struct {
	MediaID    string
	Name       string
	MediaType  string // the mediatype form field: pic, video or doc
	MIME       string // the type form field
	Data       []byte
	MD5        string
	Chunks     int
	Violations []string
}

// SyncCheckStats counts which key synccheck calls carried.
type SyncCheckStats struct {
	// WithSyncCheckKey: the latest SyncCheckKey issued to the session.
	WithSyncCheckKey int
	// WithSyncKey: a SyncKey (fine until a webwxsync issued a
	// SyncCheckKey; after that it makes synccheck spin on selector 2).
	WithSyncKey int
	// Other: no key, or a key the server never issued.
	Other int
	// Stale: a SyncCheckKey older than the latest one.
	Stale int
}

type records struct {
	requests  map[string][]Request
	sent      []SentMessage
	uploads   []Upload
	revokes   []RevokeRequest
	notifies  []StatusNotifyRequest
	verifies  []VerifyUserRequest
	oplogs    [][]byte
	chatRooms []ChatRoomUpdate
	// chatRoomRefusals are webwxupdatechatroom calls WeChat refused
	// (not the owner, not a friend), with the reason.
	chatRoomRefusals []string
	// created are the well-formed webwxcreatechatroom calls
	created    []CreatedChatRoom
	stats      SyncCheckStats
	violations []string
	refusals   []Refusal
	induced    []string
}

func newRecords() records {
	return records{requests: make(map[string][]Request)}
}

func (s *Server) recordRequest(req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec.requests[req.endpoint] = append(s.rec.requests[req.endpoint], Request{
		Method:   req.r.Method,
		Host:     requestHost(req.r),
		Path:     req.r.URL.Path,
		Query:    maps.Clone(req.query),
		RawQuery: req.r.URL.RawQuery,
		Header:   req.r.Header.Clone(),
		Body:     slices.Clone(req.body),
		Cookies:  maps.Clone(req.cookies),
		Time:     s.now(),
	})
}

// violation records a protocol violation by the client.
func (s *Server) violation(endpoint, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violationLocked(endpoint, what)
}

func (s *Server) violationLocked(endpoint, what string) {
	s.rec.violations = append(s.rec.violations, endpoint+": "+what)
	s.log.Warn().Str("endpoint", endpoint).Str("violation", what).Msg("Protocol violation")
}

// inducedLocked records what would be a violation, but follows from what
// the test did to the server while the request was on its way (a control
// such as RotateSKey or DeleteContact), not from a client mistake.
func (s *Server) inducedLocked(endpoint, what string) {
	s.rec.induced = append(s.rec.induced, endpoint+": "+what)
	s.log.Debug().Str("endpoint", endpoint).Str("induced", what).Msg("Request refused after a test's change")
}

// Requests returns the requests received on an endpoint ("login",
// "synccheck", "webwxsendmsg", "qrcode"…), oldest first.
func (s *Server) Requests(endpoint string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rec.requests[endpoint])
}

// Endpoints returns the names of the endpoints that received at least one
// request, sorted, for callers that count every request (Requests takes
// one name).
func (s *Server) Endpoints() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.rec.requests))
}

// Sent returns the messages the server accepted from send calls.
func (s *Server) Sent() []SentMessage { return snapshot(s, &s.rec.sent) }

// Uploads returns the finished uploads.
func (s *Server) Uploads() []Upload { return snapshot(s, &s.rec.uploads) }

// ChatRoomUpdates returns the accepted webwxupdatechatroom calls.
func (s *Server) ChatRoomUpdates() []ChatRoomUpdate { return snapshot(s, &s.rec.chatRooms) }

// ChatRoomRefusals returns why webwxupdatechatroom calls were refused.
func (s *Server) ChatRoomRefusals() []string { return snapshot(s, &s.rec.chatRoomRefusals) }

// Revokes returns the accepted revoke requests.
func (s *Server) Revokes() []RevokeRequest { return snapshot(s, &s.rec.revokes) }

// StatusNotifies returns the accepted webwxstatusnotify requests.
func (s *Server) StatusNotifies() []StatusNotifyRequest { return snapshot(s, &s.rec.notifies) }

// Verifies returns the accepted webwxverifyuser requests.
func (s *Server) Verifies() []VerifyUserRequest { return snapshot(s, &s.rec.verifies) }

// OpLogs returns the bodies of the webwxoplog calls (recorded only).
func (s *Server) OpLogs() [][]byte { return snapshot(s, &s.rec.oplogs) }

// SyncCheckStats returns which keys synccheck calls carried.
func (s *Server) SyncCheckStats() SyncCheckStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.stats
}

// Violations returns the protocol violations the server noticed, each as
// "endpoint: what": requests the real server refuses, and requests that
// differ from the official web client's but that it accepts. Faults a
// test injects (FailNext) are not violations, and neither are refusals
// that follow from a test's change (see Induced).
func (s *Server) Violations() []string { return snapshot(s, &s.rec.violations) }

// Induced returns the refusals, "endpoint: what", that follow from what a
// test changed while a request was on its way: an skey RotateSKey
// replaced, a send to a contact DeleteContact removed before the client
// synced it. The server answers them as it answers a violation.
func (s *Server) Induced() []string { return snapshot(s, &s.rec.induced) }

// snapshot returns a copy of a record list, taken under the server's lock.
func snapshot[T any](s *Server, list *[]T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(*list)
}
