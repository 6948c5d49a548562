package wechattest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxbridge/wxbridge/wechat"
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
		writeRet(req.w, wechat.RetParseRequest, "POST required")
		return false
	}
	return true
}

// decodeJSON decodes the body into v. It answers 1200 and records a
// violation when the body is not valid JSON.
func (s *Server) decodeJSON(req *request, v any) bool {
	if !s.requirePOST(req) {
		return false
	}
	if err := json.Unmarshal(req.body, v); err != nil {
		s.violation(req.endpoint, "malformed JSON body: "+err.Error())
		writeRet(req.w, wechat.RetParseRequest, "")
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

// writeRet answers with only a BaseResponse.
func writeRet(w http.ResponseWriter, ret int, msg string) {
	writeJSON(w, wechat.GenericResponse{BaseResponse: wechat.BaseResponse{Ret: ret, ErrMsg: msg}})
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
