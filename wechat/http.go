package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/rs/zerolog"
)

// maxAPIBody bounds JSON, XML and JS answers. A big account's contact list
// is a few MiB; anything far beyond that is not a real answer.
const maxAPIBody = 64 << 20

// transport is the HTTP layer shared by Login and Client: one cookie jar,
// no automatic redirects, the mode's headers, per-call timeouts, and error
// values that never carry a URL (URLs hold skey and pass_ticket).
type transport struct {
	cfg   Config
	hc    *http.Client
	jar   *Jar
	route router
	log   zerolog.Logger
}

func newTransport(cfg Config, jar *Jar, log zerolog.Logger) (*transport, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 4
	base.ResponseHeaderTimeout = 0 // long polls; each call has its own deadline
	rt, err := withOverride(cfg.ServerOverride, base)
	if err != nil {
		return nil, err
	}
	jar.setClock(cfg.Now)
	return &transport{
		cfg: cfg,
		jar: jar,
		log: log,
		hc: &http.Client{
			Transport: rt,
			Jar:       jar,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}, nil
}

type request struct {
	endpoint    string
	method      string
	url         string
	body        io.Reader
	contentType string
	header      http.Header
	timeout     time.Duration
}

// do sends a request and returns the response with its body open. The
// call's deadline stays in force until the body is closed.
func (t *transport) do(ctx context.Context, r request) (*http.Response, error) {
	timeout := r.timeout
	if timeout == 0 {
		timeout = t.cfg.RequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.url, r.body)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("wechat: %s: building request: %w", r.endpoint, scrubURLError(err))
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", t.cfg.userAgent())
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	start := time.Now()
	resp, err := t.hc.Do(req)
	if err != nil {
		cancel()
		if ctxErr := context.Cause(ctx); ctxErr != nil && errors.Is(ctxErr, context.DeadlineExceeded) {
			return nil, &TimeoutError{Endpoint: r.endpoint, After: timeout}
		}
		return nil, fmt.Errorf("wechat: %s: %w", r.endpoint, scrubURLError(err))
	}
	if e := t.log.Trace(); e.Enabled() {
		e.Str("endpoint", r.endpoint).Int("status", resp.StatusCode).
			Dur("duration", time.Since(start)).Msg("Web WeChat call")
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// fetch sends a request and reads the whole answer (at most limit bytes).
// 2xx and 3xx answers are returned; 3xx bodies matter (newloginpage).
func (t *transport) fetch(ctx context.Context, r request, limit int64) (int, http.Header, []byte, error) {
	resp, err := t.do(ctx, r)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, resp.Header, nil, &HTTPError{Endpoint: r.endpoint, Status: resp.StatusCode}
	}
	body, err := readBody(resp, limit)
	if err != nil {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("wechat: %s: reading answer: %w", r.endpoint, scrubURLError(err))
	}
	if int64(len(body)) > limit {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("%w: %s answer exceeds %d bytes", ErrUnexpectedResponse, r.endpoint, limit)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// readBody reads at most limit+1 bytes of an answer. When the server says
// how long it is, the buffer is allocated once at that size: a big
// account's contact answers are megabytes, and growing a buffer to that
// size by doubling leaves twice as much garbage behind.
// A server that announces a huge answer and sends little must not make the
// client hold that much memory up front: larger answers are read as they
// come.
const maxPresizedBody = 16 << 20

func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= min(limit, maxPresizedBody) {
		// net/http ends the body after ContentLength bytes and reports a
		// shorter one as an error.
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit+1))
}

// getText fetches a JS or XML answer.
func (t *transport) getText(ctx context.Context, endpoint, u string, header http.Header, timeout time.Duration) (string, error) {
	_, _, body, err := t.fetch(ctx, request{endpoint: endpoint, url: u, header: header, timeout: timeout}, maxAPIBody)
	return string(body), err
}

// responder is implemented by every JSON answer that has a BaseResponse.
type responder interface {
	base() *BaseResponse
}

func (r *InitResponse) base() *BaseResponse         { return &r.BaseResponse }
func (r *ContactListResponse) base() *BaseResponse  { return &r.BaseResponse }
func (r *BatchContactResponse) base() *BaseResponse { return &r.BaseResponse }
func (r *SyncResponse) base() *BaseResponse         { return &r.BaseResponse }
func (r *SendResponse) base() *BaseResponse         { return &r.BaseResponse }
func (r *RevokeResponse) base() *BaseResponse       { return &r.BaseResponse }
func (r *UploadMediaResponse) base() *BaseResponse  { return &r.BaseResponse }
func (r *CheckUploadResponse) base() *BaseResponse  { return &r.BaseResponse }
func (r *GenericResponse) base() *BaseResponse      { return &r.BaseResponse }

// encodeJSON encodes without HTML escaping, so XML in message content
// stays readable to the server.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// callJSON sends in as a JSON POST (or a GET when in is nil), decodes the
// answer into out and turns a non-zero Ret into a *RetError.
func (t *transport) callJSON(ctx context.Context, endpoint, u string, in any, out responder) (err error) {
	start := time.Now()
	defer func() { t.observe(endpoint, start, err) }()
	r := request{endpoint: endpoint, url: u}
	if in != nil {
		data, err := encodeJSON(in)
		if err != nil {
			return fmt.Errorf("wechat: %s: encoding request: %w", endpoint, err)
		}
		r.method = http.MethodPost
		r.body = bytes.NewReader(data)
		r.contentType = "application/json; charset=UTF-8"
	}
	_, _, body, err := t.fetch(ctx, r, maxAPIBody)
	if err != nil {
		return err
	}
	return decodeAnswer(endpoint, body, out)
}

func decodeAnswer(endpoint string, body []byte, out responder) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s answer is not valid JSON: %v", ErrUnexpectedResponse, endpoint, err)
	}
	if br := out.base(); br.Ret != RetOK {
		return &RetError{Endpoint: endpoint, Ret: br.Ret, Message: br.ErrMsg}
	}
	return nil
}

// TimeoutError is a call that got no answer in time.
type TimeoutError struct {
	Endpoint string
	After    time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("wechat: %s got no answer within %s", e.Endpoint, e.After)
}

// Timeout marks the error as a timeout for net.Error-style checks.
func (e *TimeoutError) Timeout() bool { return true }

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// scrubURLError drops the URL (which carries skey and pass_ticket) from
// net/http errors and keeps the cause.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &scrubbedError{op: ue.Op, err: ue.Err}
	}
	return err
}

type scrubbedError struct {
	op  string
	err error
}

func (e *scrubbedError) Error() string { return e.op + ": " + e.err.Error() }
func (e *scrubbedError) Unwrap() error { return e.err }

// isTransient reports whether an error may go away by itself: network
// trouble, timeouts, 5xx, garbled answers, "too frequent" and system errors.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, ErrLoggedOut) || errors.Is(err, context.Canceled) {
		return false
	}
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.Temporary()
	}
	var retErr *RetError
	if errors.As(err, &retErr) {
		return retErr.Ret == RetTooFrequent || retErr.Ret == -1
	}
	var netErr net.Error
	var timeoutErr *TimeoutError
	return errors.As(err, &netErr) || errors.As(err, &timeoutErr) || errors.Is(err, ErrUnexpectedResponse) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, context.DeadlineExceeded)
}

func nowMillis() string {
	return fmt.Sprint(time.Now().UnixMilli())
}
