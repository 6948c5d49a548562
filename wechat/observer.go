package wechat

import "time"

// Observer is told about the client's calls to the Web WeChat API, so that
// the program using the client can keep metrics without this package
// knowing how. Its method runs on the calling goroutine, once per call
// (a send retried after 1205 is several calls): it must be quick and must
// not call back into the client.
type Observer interface {
	// CallDone reports one finished call: the endpoint's name (synccheck,
	// webwxsync, webwxsendmsg, webwxinit, ...), how long it took, and nil
	// or the error it ended with. A non-zero ret, synccheck's retcode
	// included, arrives as a *RetError.
	CallDone(endpoint string, took time.Duration, err error)
}

// observe reports a call that started at start to the configured observer.
func (t *transport) observe(endpoint string, start time.Time, err error) {
	if t.cfg.Observer != nil {
		t.cfg.Observer.CallDone(endpoint, time.Since(start), err)
	}
}
