package conformance

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Transport sends every request to one server (the simulator) while the
// request keeps its URL and its Host header. It sits below the
// http.Client's cookie jar, which therefore sees the real hosts.
type Transport struct {
	target  *url.URL
	latency time.Duration
	base    http.RoundTripper
}

// NewTransport returns a Transport to the server at target
// ("http://127.0.0.1:port"). Each request waits latency before it is
// sent, as a request to a server on the network would.
func NewTransport(target string, latency time.Duration) (*Transport, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("conformance: parse target: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("conformance: target %q is not http(s)://host[:port]", target)
	}
	return &Transport{target: u, latency: latency, base: http.DefaultTransport.(*http.Transport).Clone()}, nil
}

// RoundTrip sends a copy of req to the target: same method, path, query,
// headers and body, with the Host the client asked for.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || req.URL.Host == "" {
		return nil, errors.New("conformance: request without a host")
	}
	if t.latency > 0 {
		timer := time.NewTimer(t.latency)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		}
	}
	out := req.Clone(req.Context())
	out.Host = req.Host
	if out.Host == "" {
		out.Host = req.URL.Host
	}
	u := *req.URL
	u.Scheme, u.Host = t.target.Scheme, t.target.Host
	out.URL = &u
	return t.base.RoundTrip(out)
}
