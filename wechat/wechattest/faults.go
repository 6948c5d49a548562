package wechattest

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure FailNext makes an endpoint answer with.
type Fault int

const (
	// FaultHTTP500 answers HTTP 500.
	FaultHTTP500 Fault = iota + 1
	// FaultReset closes the connection without an answer (TCP reset).
	FaultReset
	// FaultMalformed answers 200 with a truncated body.
	FaultMalformed
	// FaultHang never answers, until the request's context ends or the
	// server closes.
	FaultHang
	// FaultTooFrequent answers ret/retcode 1205 ("operation too frequent").
	FaultTooFrequent
	// FaultLoseAnswer handles the request (it takes effect) and then
	// closes the connection instead of answering, as when the answer is
	// lost on the way back.
	FaultLoseAnswer
	// FaultSlowAnswer handles the request (it takes effect, and what it
	// makes happen reaches webwxsync at once) and answers SlowAnswerDelay
	// later, as a slow server does.
	FaultSlowAnswer
)

// SlowAnswerDelay is how long FaultSlowAnswer holds an answer back.
const SlowAnswerDelay = 3 * time.Second

func (f Fault) String() string {
	switch f {
	case FaultHTTP500:
		return "http-500"
	case FaultReset:
		return "reset"
	case FaultMalformed:
		return "malformed"
	case FaultHang:
		return "hang"
	case FaultTooFrequent:
		return "too-frequent"
	case FaultLoseAnswer:
		return "lose-answer"
	case FaultSlowAnswer:
		return "slow-answer"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// ParseFault parses the String form of a Fault.
func ParseFault(name string) (Fault, bool) {
	for f := FaultHTTP500; f <= FaultSlowAnswer; f++ {
		if f.String() == name {
			return f, true
		}
	}
	return 0, false
}

// FailNext makes the next n requests to endpoint ("synccheck",
// "webwxsync", "login", "webwxuploadmedia"…) fail with f. Faults queue up
// behind earlier ones. A failed request is recorded but has no effect.
func (s *Server) FailNext(endpoint string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[endpoint] = append(s.faults[endpoint], f)
	}
	if n > 0 {
		s.noteLocked("fault", "Fault armed: the next "+strconv.Itoa(n)+" "+endpoint+" answer "+f.String())
	}
}

// FailAfter lets the next skip requests to endpoint through and makes the
// n after them fail with f: FailAfter("webwxuploadmedia", 1, 1, f) fails
// the second chunk of an upload.
func (s *Server) FailAfter(endpoint string, skip, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range skip {
		s.faults[endpoint] = append(s.faults[endpoint], 0)
	}
	for range n {
		s.faults[endpoint] = append(s.faults[endpoint], f)
	}
}

// takeFault pops the endpoint's next queued fault; a 0 queued by FailAfter
// lets its request through.
func (s *Server) takeFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[endpoint]
	if len(q) == 0 {
		return 0, false
	}
	s.faults[endpoint] = q[1:]
	return q[0], q[0] != 0
}

const tooFrequentMsg = "操作太频繁，请稍后再试。"

func (s *Server) applyFault(req *request, f Fault) {
	w := req.w
	switch f {
	case FaultHTTP500:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case FaultReset:
		resetConnection(w)
	case FaultMalformed:
		writeMalformed(w, req.endpoint)
	case FaultHang:
		select {
		case <-req.r.Context().Done():
		case <-s.done:
		}
	case FaultTooFrequent:
		writeTooFrequent(w, req.endpoint)
	}
}

// resetConnection drops the connection with a TCP reset.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): abort the stream, which net/http supports
	// by this sentinel panic.
	panic(http.ErrAbortHandler)
}

func writeMalformed(w http.ResponseWriter, endpoint string) {
	var ct, body string
	switch kindOf(endpoint) {
	case kindJS:
		ct = "text/javascript"
		switch endpoint {
		case "synccheck":
			body = `window.synccheck={retcode:"0",sel`
		case "login":
			body = `window.code=2`
		default:
			body = `window.QRLogin.code = 200; window.QRLogin.uu`
		}
	case kindXML:
		ct, body = "text/xml; charset=UTF-8", `<error><ret>0</ret><message></message><skey>@crypt_`
	case kindPush:
		ct, body = "application/json; charset=UTF-8", `{"ret":"0","msg":"all`
	case kindMedia:
		ct, body = "image/jpeg", "\xff\xd8\xff\xe0garbage"
	default:
		ct, body = "application/json; charset=UTF-8", `{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":1,"AddMsgList":[{"MsgId":"`
	}
	writeBody(w, http.StatusOK, ct, body)
}

func writeTooFrequent(w http.ResponseWriter, endpoint string) {
	switch kindOf(endpoint) {
	case kindJS:
		switch endpoint {
		case "synccheck":
			writeJS(w, syncCheckBody(1205, 0))
		case "login":
			writeJS(w, "window.code=1205;")
		default:
			writeJS(w, "window.QRLogin.code = 1205;")
		}
	case kindXML:
		writeLoginPageError(w, http.StatusOK, 1205, tooFrequentMsg)
	case kindPush:
		writeJSON(w, pushLoginAnswer{Ret: "1205", Msg: tooFrequentMsg})
	case kindMedia:
		http.Error(w, tooFrequentMsg, http.StatusServiceUnavailable)
	default:
		writeJSON(w, errorAnswer(endpoint, retTooFrequent, tooFrequentMsg))
	}
}
