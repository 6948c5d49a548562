package scenarios

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SendTimes records, by message body, when each m.room.message PUT went
// through the stack's Front to Dendrite and when its answer was back. With
// -front, the bridge and the baseline both reach Dendrite through it, so the
// two paths can be split at the homeserver's door.
type SendTimes struct {
	mu   sync.Mutex
	sent map[string]Span
}

// Span is one request: when the front began forwarding it and when it had
// the whole answer.
type Span struct{ Start, End time.Time }

func newSendTimes() *SendTimes { return &SendTimes{sent: make(map[string]Span)} }

// observe is the Front's observer.
func (st *SendTimes) observe(r *http.Request, body []byte, start, end time.Time) {
	if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/send/m.room.message/") {
		return
	}
	var content struct {
		Body string `json:"body"`
	}
	if json.Unmarshal(body, &content) != nil || content.Body == "" {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.sent[content.Body]; !dup {
		st.sent[content.Body] = Span{start, end}
	}
}

// Get returns the span of the message with the body, if it went through.
func (st *SendTimes) Get(body string) (Span, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sent[body]
	return s, ok
}
