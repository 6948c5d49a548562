package wechattest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMalformedRequests: a body the server cannot parse, or a GET where a
// POST is due, answers Ret 1200 and is recorded as a violation.
func TestMalformedRequests(t *testing.T) {
	badUMR, badUMRType := multipartBody(t, map[string]string{"name": "x", "uploadmediarequest": "{"}, []byte("x"))
	tests := []struct {
		name          string
		method        string
		endpoint      string
		body          []byte
		contentType   string
		wantViolation string
	}{
		{"malformed JSON", http.MethodPost, "webwxinit", []byte(`{"BaseRequest":`), "", "malformed JSON"},
		{"GET on a JSON endpoint", http.MethodGet, "webwxsync", nil, "", "want POST"},
		{"body too large", http.MethodPost, "webwxsync", make([]byte, maxBody+10), "", "too large"},
		{"upload not multipart", http.MethodPost, "webwxuploadmedia", []byte("x"), "text/plain", "malformed multipart"},
		{"malformed uploadmediarequest", http.MethodPost, "webwxuploadmedia", badUMR, badUMRType, "uploadmediarequest: malformed JSON"},
		{"GET on upload", http.MethodGet, "webwxuploadmedia", nil, "", "want POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := loggedIn(t, Config{})
			var header http.Header
			if tt.contentType != "" {
				header = http.Header{"Content-Type": {tt.contentType}}
			}
			resp, body := c.do(tt.method, api(tt.endpoint), nil, tt.body, header)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), `"Ret":1200`)
			assert.True(t, hasViolation(s, tt.wantViolation), s.Violations())
		})
	}
}
