package wechattest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Body size limits. An upload carries one chunk of at most 512 KiB plus a
// few form fields; the limit leaves room to notice oversized chunks.
const (
	maxBody       = 1 << 20
	maxUploadBody = 4 << 20
)

// request is one incoming call, read once and shared by the recorder, the
// fault injector and the handler.
type request struct {
	w        http.ResponseWriter // for handlers: a responseBuffer
	r        *http.Request
	endpoint string
	arg      string // path argument: the uuid of /qrcode/<uuid> and /l/<uuid>
	query    url.Values
	form     url.Values // url-encoded POST body, if any
	body     []byte
	bodyErr  error
	cookies  map[string]string
}

func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, endpoint, arg string) *request {
	req := &request{
		w:        w,
		r:        r,
		endpoint: endpoint,
		arg:      arg,
		query:    r.URL.Query(),
		cookies:  make(map[string]string),
	}
	for _, c := range r.Cookies() {
		req.cookies[c.Name] = c.Value
	}
	limit := int64(maxBody)
	if endpoint == "webwxuploadmedia" {
		limit = maxUploadBody
	}
	if r.Body != nil {
		req.body, req.bodyErr = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		req.form, _ = url.ParseQuery(string(req.body))
	}
	return req
}

// param returns a query parameter, or the form field of that name.
func (req *request) param(name string) string {
	if v, ok := req.query[name]; ok && len(v) > 0 {
		return v[0]
	}
	return req.form.Get(name)
}

// requirePOST reports whether req is a POST. It answers 1200 and records a
// violation when it is not.
func (s *Server) requirePOST(req *request) bool {
	if req.r.Method != http.MethodPost {
		s.violation(req.endpoint, "method "+req.r.Method+", want POST")
		writeError(req, retParseRequest, "POST required")
		return false
	}
	return true
}

// readBody reads the JSON body strictly into v, a pointer to a wire type
// (see readWire). Deviations from the web client's form are recorded as
// violations and the request goes on; a body the real server would not
// parse is recorded too and answered with 1200, and readBody returns false.
func (s *Server) readBody(req *request, v any) bool {
	if !s.requirePOST(req) {
		return false
	}
	return s.readWireData(req, "body", req.body, v)
}

// readWireData reads data (the body, or the form field what) into v as
// readBody does.
func (s *Server) readWireData(req *request, what string, data []byte, v any) bool {
	rd := readWire(data, v)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range rd.deviations {
		s.violationLocked(req.endpoint, what+": "+d)
	}
	if rd.refusal != "" {
		s.violationLocked(req.endpoint, what+": "+rd.refusal)
		writeError(req, retParseRequest, "")
		return false
	}
	return true
}

// endpointKind says which body format an endpoint answers with.
type endpointKind int

const (
	kindJSON  endpointKind = iota // JSON with a BaseResponse
	kindJS                        // a JavaScript snippet (jslogin, login, synccheck)
	kindXML                       // webwxnewloginpage
	kindPush                      // webwxpushloginurl's lowercase JSON
	kindMedia                     // bytes (downloads, QR code, logout)
)

func kindOf(endpoint string) endpointKind {
	switch endpoint {
	case "jslogin", "login", "synccheck":
		return kindJS
	case "webwxnewloginpage":
		return kindXML
	case "webwxpushloginurl":
		return kindPush
	case "qrcode", "l", "webwxlogout", "webwxgetmsgimg", "webwxgetvoice", "webwxgetvideo",
		"webwxgetmedia", "webwxgeticon", "webwxgetheadimg":
		return kindMedia
	}
	return kindJSON
}

// writeJSON writes v as UTF-8 JSON without HTML escaping, as the real
// server does (XML in Content keeps its '<' and '&').
func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

// writeError answers a JSON endpoint with ret and msg, in the full shape
// of the endpoint's answer (see errorAnswer).
func writeError(req *request, ret int, msg string) {
	writeJSON(req.w, errorAnswer(req.endpoint, ret, msg))
}

func writeBody(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// writeJS answers with a JavaScript snippet.
func writeJS(w http.ResponseWriter, body string) {
	writeBody(w, http.StatusOK, "text/javascript", body)
}

func writeBytes(w http.ResponseWriter, contentType string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// writeEmpty is how the real server fails a download: 200 with no body.
func writeEmpty(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// responseBuffer collects a handler's answer, which ServeHTTP writes to the
// network after the handler has released the server's lock: a client that
// does not read cannot block the server.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newResponseBuffer() *responseBuffer { return &responseBuffer{header: make(http.Header)} }

func (b *responseBuffer) Header() http.Header { return b.header }

func (b *responseBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *responseBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *responseBuffer) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	b.WriteHeader(http.StatusOK)
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
