package wechattest

import (
	"fmt"
	"net/http"
	"time"
)

// phoneLiveTick is how often the live stream looks at the state even when
// nothing woke it: a few records (read marks, sends) change without
// waking held polls.
const phoneLiveTick = time.Second

// servePhoneLive streams Server-Sent Events to the page: an event
// "change" whenever what the page shows may have changed, with a
// fingerprint of the state as data. The page then fetches what it shows
// again.
func (s *Server) servePhoneLive(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here: reload the page to see changes", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Tell the browser to come back quickly if the stream breaks.
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	flusher.Flush()
	tick := time.NewTicker(phoneLiveTick)
	defer tick.Stop()
	last := ""
	for {
		s.mu.Lock()
		fp, changed, done := s.phoneFingerprintLocked(), s.changed, s.done
		s.mu.Unlock()
		if fp != last {
			if _, err := fmt.Fprintf(w, "event: change\ndata: %s\n\n", fp); err != nil {
				return
			}
			flusher.Flush()
			last = fp
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-done:
			return
		}
	}
}

// phoneFingerprintLocked changes whenever something the page shows does.
func (s *Server) phoneFingerprintLocked() string {
	pending, dead, faults := "", 0, 0
	if pl := s.newestPendingLocked(); pl != nil {
		pending = fmt.Sprintf("%s/%d", pl.uuid, pl.status)
	}
	if s.current != nil {
		dead = s.current.dead
	}
	for _, q := range s.faults {
		faults += len(q)
	}
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d.%d.%s.%d",
		len(s.acct.log), len(s.rec.sent), len(s.rec.notifies), len(s.phone.notes),
		s.logins.count, dead, faults, pending, len(s.phone.readAt))
}
