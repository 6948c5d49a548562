package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Front is an HTTP proxy between the bridge and the homeserver. A test uses
// it to fail requests before the homeserver sees them, as a homeserver
// that is failing or unreachable does, or to lose the homeserver's answer
// to a request it has already carried out, as happens when the homeserver
// fails while answering or the bridge dies while it waits; a benchmark uses
// it to time the bridge's requests.
type Front struct {
	// URL is what the bridge uses as homeserver.address.
	URL string

	target string
	client *http.Client
	srv    *http.Server

	mu       sync.Mutex
	refusals []*frontRefusal
	rules    []*frontRule
	observer func(r *http.Request, body []byte, start, end time.Time)
	// hidden are events left out of room histories until the time given.
	hidden map[string]time.Time
	// created numbers the rooms created through the front, by room ID,
	// from 1. It has a lock of its own, for the matchers (called with mu
	// held) to read.
	roomsMu sync.Mutex
	created map[string]int
}

// AnswerFault is what happens to an answer the homeserver gave.
type AnswerFault int

const (
	// AnswerHTTP500 replaces the answer with an HTTP 500.
	AnswerHTTP500 AnswerFault = iota
	// AnswerNever holds the answer until the bridge hangs up.
	AnswerNever
)

// RequestFault is how a request fails before it reaches the homeserver.
type RequestFault int

const (
	// RefuseHTTP500 answers HTTP 500 (M_UNKNOWN).
	RefuseHTTP500 RequestFault = iota
	// RefuseDrop closes the connection without an answer.
	RefuseDrop
)

type frontRefusal struct {
	match func(r *http.Request, body []byte) bool
	fault RequestFault
	left  int
	done  chan struct{}
}

type frontRule struct {
	match   func(r *http.Request, body []byte) bool
	fault   AnswerFault
	readLag time.Duration
	hit     chan struct{}
}

// startFront listens on a free loopback port and forwards every request to
// target (http://host:port).
func startFront(target string) (*Front, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &Front{
		URL:    "http://" + ln.Addr().String(),
		target: target,
		client: &http.Client{Timeout: 5 * time.Minute},
	}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// LoseAnswer makes the next request that match accepts reach the homeserver
// and its answer meet fault. The returned channel is closed once the
// homeserver has answered that request. For readLag after that, room
// histories (/messages) leave out the event the request created, as a
// homeserver does whose reads are served from a copy that trails its
// writes (Dendrite's sync API, Synapse's workers).
func (f *Front) LoseAnswer(match func(r *http.Request, body []byte) bool, fault AnswerFault, readLag time.Duration) <-chan struct{} {
	rule := &frontRule{match: match, fault: fault, readLag: readLag, hit: make(chan struct{})}
	f.mu.Lock()
	f.rules = append(f.rules, rule)
	f.mu.Unlock()
	return rule.hit
}

// FailRequests makes the next n requests that match accepts fail with
// fault; the homeserver never sees them. The returned channel is closed
// once the nth has failed.
func (f *Front) FailRequests(match func(r *http.Request, body []byte) bool, n int, fault RequestFault) <-chan struct{} {
	ref := &frontRefusal{match: match, fault: fault, left: n, done: make(chan struct{})}
	f.mu.Lock()
	f.refusals = append(f.refusals, ref)
	f.mu.Unlock()
	return ref.done
}

// refuse reports whether a request is to fail, and how, counting it
// against the first refusal that matches it.
func (f *Front) refuse(r *http.Request, body []byte) (RequestFault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ref := range f.refusals {
		if !ref.match(r, body) {
			continue
		}
		if ref.left--; ref.left <= 0 {
			f.refusals = append(f.refusals[:i], f.refusals[i+1:]...)
			close(ref.done)
		}
		return ref.fault, true
	}
	return 0, false
}

// Observe has fn called with every request the homeserver answered, its
// body, and when the front began forwarding it and had the whole answer.
func (f *Front) Observe(fn func(r *http.Request, body []byte, start, end time.Time)) {
	f.mu.Lock()
	f.observer = fn
	f.mu.Unlock()
}

// take removes and returns the first rule that matches a request.
func (f *Front) take(r *http.Request, body []byte) *frontRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, rule := range f.rules {
		if rule.match(r, body) {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return rule
		}
	}
	return nil
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if fault, ok := f.refuse(r, body); ok {
		switch fault {
		case RefuseHTTP500:
			http.Error(w, `{"errcode":"M_UNKNOWN","error":"refused by the test"}`, http.StatusInternalServerError)
		case RefuseDrop:
			// The server closes the connection without writing anything.
			panic(http.ErrAbortHandler)
		}
		return
	}
	rule := f.take(r, body)
	// A request the homeserver is given is carried out to the end, even
	// when the bridge hangs up meanwhile.
	ctx := r.Context()
	if rule != nil {
		ctx = context.WithoutCancel(ctx)
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, f.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out.Header = r.Header.Clone()
	start := time.Now()
	resp, err := f.client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	end := time.Now()
	f.mu.Lock()
	observe := f.observer
	f.mu.Unlock()
	if observe != nil && err == nil {
		observe(r, body, start, end)
	}
	if err == nil && resp.StatusCode == http.StatusOK && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/createRoom") {
		f.noteCreated(answer)
	}
	if rule != nil {
		f.hide(answer, rule.readLag)
		close(rule.hit)
		switch rule.fault {
		case AnswerHTTP500:
			http.Error(w, `{"errcode":"M_UNKNOWN","error":"lost answer"}`, http.StatusInternalServerError)
		case AnswerNever:
			<-r.Context().Done()
		}
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/messages") {
		answer = f.leaveOutHidden(answer)
		resp.Header.Del("Content-Length")
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// noteCreated numbers the room a createRoom answer names.
func (f *Front) noteCreated(answer []byte) {
	var created struct {
		RoomID string `json:"room_id"`
	}
	if json.Unmarshal(answer, &created) != nil || created.RoomID == "" {
		return
	}
	f.roomsMu.Lock()
	defer f.roomsMu.Unlock()
	if f.created == nil {
		f.created = make(map[string]int)
	}
	f.created[created.RoomID] = len(f.created) + 1
}

// RoomsCreated is how many rooms were created through the front so far.
func (f *Front) RoomsCreated() int {
	f.roomsMu.Lock()
	defer f.roomsMu.Unlock()
	return len(f.created)
}

// CreatedAfter reports whether a room was created through the front after
// its first n rooms. A request about the room that follows its creation's
// answer finds it.
func (f *Front) CreatedAfter(roomID string, n int) bool {
	f.roomsMu.Lock()
	defer f.roomsMu.Unlock()
	return f.created[roomID] > n
}

// hide leaves the event named in a send's answer out of room histories
// for lag.
func (f *Front) hide(answer []byte, lag time.Duration) {
	var sent struct {
		EventID string `json:"event_id"`
	}
	if lag <= 0 || json.Unmarshal(answer, &sent) != nil || sent.EventID == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hidden == nil {
		f.hidden = make(map[string]time.Time)
	}
	f.hidden[sent.EventID] = time.Now().Add(lag)
}

// leaveOutHidden removes the hidden events from a /messages answer. An
// answer it cannot read is passed on as it is.
func (f *Front) leaveOutHidden(answer []byte) []byte {
	f.mu.Lock()
	now := time.Now()
	hidden := make(map[string]bool)
	for evtID, until := range f.hidden {
		if now.Before(until) {
			hidden[evtID] = true
		} else {
			delete(f.hidden, evtID)
		}
	}
	f.mu.Unlock()
	if len(hidden) == 0 {
		return answer
	}
	var page map[string]json.RawMessage
	var chunk []json.RawMessage
	if json.Unmarshal(answer, &page) != nil || json.Unmarshal(page["chunk"], &chunk) != nil {
		return answer
	}
	chunk = slices.DeleteFunc(chunk, func(raw json.RawMessage) bool {
		var evt struct {
			EventID string `json:"event_id"`
		}
		return json.Unmarshal(raw, &evt) == nil && hidden[evt.EventID]
	})
	var err error
	if page["chunk"], err = json.Marshal(chunk); err != nil {
		return answer
	}
	out, err := json.Marshal(page)
	if err != nil {
		return answer
	}
	return out
}

// Close stops the front.
func (f *Front) Close() error {
	err := f.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
