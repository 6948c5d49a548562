package wechattest

import "time"

// The real server refuses calls that come too often with ret 1205
// ("操作太频繁，请稍后再试。"), per account (protocol reference §10.4):
// texts at a fixed 1 s interval went through; at 0.5 s intervals they were
// refused after about 120 messages; bursts were capped around 60; 30 to 40
// images to different contacts ended in 1205. A bucket of 60 sends that
// refills one a second gives exactly that (at 0.5 s it empties by one a
// second: 60 s, 120 messages); media sends also draw on a second bucket of
// 30 that refills one every 10 s (at 1 s intervals: refused after about
// 33). Nobody measured webwxbatchgetcontact; it gets a bucket of 50 that
// refills one a second, which a client that paces its member fetches (the
// official client fetches members when a chat is opened) never empties.

// Bucket is a token bucket: Burst calls may come back to back, then one
// more each Every.
type Bucket struct {
	Burst int
	Every time.Duration
}

// RateLimit is how often the account may call the endpoints the real
// server rate-limits. A refused call answers ret 1205 in the endpoint's
// usual answer and has no effect (a refused message is not delivered).
// Zero fields take the defaults below.
type RateLimit struct {
	// Off turns the limiter off, for tests that send faster than WeChat
	// allows on purpose (and say why).
	Off bool
	// Send bounds the five send endpoints together (default 60, then one
	// a second).
	Send Bucket
	// Media bounds webwxsendmsgimg, webwxsendvideomsg, webwxsendappmsg and
	// webwxsendemoticon on top of Send (default 30, then one every 10 s).
	Media Bucket
	// Contacts bounds webwxbatchgetcontact (default 50, then one a second).
	Contacts Bucket
}

// Default limits of RateLimit.
var (
	DefaultSendLimit     = Bucket{Burst: 60, Every: time.Second}
	DefaultMediaLimit    = Bucket{Burst: 30, Every: 10 * time.Second}
	DefaultContactsLimit = Bucket{Burst: 50, Every: time.Second}
)

func (r RateLimit) withDefaults() RateLimit {
	fill := func(b *Bucket, def Bucket) {
		if b.Burst <= 0 {
			b.Burst = def.Burst
		}
		if b.Every <= 0 {
			b.Every = def.Every
		}
	}
	fill(&r.Send, DefaultSendLimit)
	fill(&r.Media, DefaultMediaLimit)
	fill(&r.Contacts, DefaultContactsLimit)
	return r
}

// bucket is the state of one Bucket: full at first.
type bucket struct {
	cfg    Bucket
	tokens float64
	at     time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.at.IsZero() {
		b.tokens, b.at = float64(b.cfg.Burst), now
		return
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(float64(b.cfg.Burst), b.tokens+float64(elapsed)/float64(b.cfg.Every))
		b.at = now
	}
}

// limiter holds the account's buckets.
type limiter struct {
	cfg                   RateLimit
	send, media, contacts bucket
}

func newLimiter(cfg RateLimit) *limiter {
	cfg = cfg.withDefaults()
	return &limiter{cfg: cfg, send: bucket{cfg: cfg.Send}, media: bucket{cfg: cfg.Media}, contacts: bucket{cfg: cfg.Contacts}}
}

// allow takes a token from every bucket an endpoint draws on, or reports
// false and takes none when one of them is empty.
func (l *limiter) allow(endpoint string, now time.Time) bool {
	if l.cfg.Off {
		return true
	}
	var buckets []*bucket
	switch endpoint {
	case "webwxsendmsg":
		buckets = []*bucket{&l.send}
	case "webwxsendmsgimg", "webwxsendvideomsg", "webwxsendappmsg", "webwxsendemoticon":
		buckets = []*bucket{&l.send, &l.media}
	case "webwxbatchgetcontact":
		buckets = []*bucket{&l.contacts}
	default:
		return true
	}
	for _, b := range buckets {
		b.refill(now)
		if b.tokens < 1 {
			return false
		}
	}
	for _, b := range buckets {
		b.tokens--
	}
	return true
}

// Refusal is one call the rate limiter refused.
type Refusal struct {
	Endpoint string
	Time     time.Time
}

// rateLimitedLocked reports whether the account's rate limit refuses req
// and records the refusal. The caller answers 1205.
func (s *Server) rateLimitedLocked(req *request) bool {
	now := s.now()
	if s.limits.allow(req.endpoint, now) {
		return false
	}
	s.rec.refusals = append(s.rec.refusals, Refusal{Endpoint: req.endpoint, Time: now})
	s.log.Debug().Str("endpoint", req.endpoint).Msg("Rate limit: refused as too frequent")
	return true
}

// Refusals returns the calls the rate limiter refused with 1205, oldest
// first (FailNext's too-frequent faults are not among them).
func (s *Server) Refusals() []Refusal { return snapshot(s, &s.rec.refusals) }
