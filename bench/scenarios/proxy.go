package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TxnProxy sits between Dendrite and the bridge: the registration's url
// points at it, and it forwards everything to the bridge's appservice port.
// It timestamps the m.room.message events of every transaction by body, so
// that the outbound scenario knows when Dendrite pushed an event to the
// bridge. Forwarding on loopback adds well under a millisecond, which the
// figures count against the bridge.
type TxnProxy struct {
	// URL is the address Dendrite calls.
	URL string

	ln    net.Listener
	srv   *http.Server
	proxy *httputil.ReverseProxy
	errc  chan error

	mu      sync.Mutex
	arrived map[string]time.Time // event body → first arrival
	changed chan struct{}
}

// ListenTxnProxy listens on a free loopback port; Serve starts forwarding.
func ListenTxnProxy() (*TxnProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &TxnProxy{
		URL:     "http://" + ln.Addr().String(),
		ln:      ln,
		arrived: make(map[string]time.Time),
		changed: make(chan struct{}),
		errc:    make(chan error, 1),
	}, nil
}

// Serve forwards to target (the bridge's appservice URL) until Close.
func (p *TxnProxy) Serve(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	p.proxy = httputil.NewSingleHostReverseProxy(u)
	p.proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: time.Minute}
	// Dendrite retries what fails while the bridge restarts; no noise.
	p.proxy.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { p.errc <- p.srv.Serve(p.ln) }()
	return nil
}

// ServeHTTP records a transaction's events and forwards the request.
func (p *TxnProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/_matrix/app/v1/transactions/") {
		body, err := io.ReadAll(r.Body)
		now := time.Now()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.record(now, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	p.proxy.ServeHTTP(w, r)
}

func (p *TxnProxy) record(now time.Time, body []byte) {
	var txn struct {
		Events []struct {
			Type    string `json:"type"`
			Content struct {
				Body string `json:"body"`
			} `json:"content"`
		} `json:"events"`
	}
	if json.Unmarshal(body, &txn) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	added := false
	for _, evt := range txn.Events {
		if evt.Type != "m.room.message" || evt.Content.Body == "" {
			continue
		}
		if _, ok := p.arrived[evt.Content.Body]; !ok {
			p.arrived[evt.Content.Body] = now
			added = true
		}
	}
	if added {
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// Wait returns when a message with this body first reached the proxy.
func (p *TxnProxy) Wait(ctx context.Context, body string) (time.Time, error) {
	for {
		p.mu.Lock()
		t, ok := p.arrived[body]
		changed := p.changed
		p.mu.Unlock()
		if ok {
			return t, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

// Close stops the proxy.
func (p *TxnProxy) Close() error {
	if p.srv == nil {
		return p.ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if serveErr := <-p.errc; err == nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = serveErr
	}
	return err
}
