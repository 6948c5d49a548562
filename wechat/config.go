package wechat

import (
	"fmt"
	"time"
)

// Mode is how the client presents itself at login.
type Mode string

const (
	// ModeDesktop mimics the UOS desktop client: mod=desktop, the
	// client-version and extspam headers, the UOS user agent. It gets past
	// the 1203 refusal for many accounts.
	ModeDesktop Mode = "desktop"
	// ModeWeb is the plain wx.qq.com web client.
	ModeWeb Mode = "web"
)

// ParseMode parses "desktop" or "web"; "" means desktop.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", ModeDesktop:
		return ModeDesktop, nil
	case ModeWeb:
		return ModeWeb, nil
	}
	return "", fmt.Errorf("wechat: unknown login mode %q (want desktop or web)", s)
}

// Config holds the client's settings. The zero value works against the
// real servers in desktop mode with the defaults below.
type Config struct {
	// ServerOverride is a base URL (the simulator) that every request is
	// sent to. Requests keep their real URLs and Host header
	// (https://wx2.qq.com/…, https://webpush.wx2.qq.com/…), so cookies and
	// host selection work as with the real servers; only the connection
	// goes to the override, with its path put before the request's.
	// Empty means the real servers.
	ServerOverride string
	// Mode is desktop (default) or web.
	Mode Mode
	// SendInterval is the minimum time between two sends (default 1s;
	// negative means no pacing).
	SendInterval time.Duration
	// MaxMediaSize bounds downloads and uploads (default 100 MiB).
	MaxMediaSize int64
	// RequestTimeout bounds ordinary API calls (default 30s).
	RequestTimeout time.Duration
	// PollTimeout bounds long polls: synccheck and the login poll. It must
	// exceed the server's hold of about 25s (default 35s).
	PollTimeout time.Duration
	// StallTimeout is how long the sync loop may go without finishing a
	// round before the watchdog restarts it (default 2×PollTimeout).
	StallTimeout time.Duration
	// RetryDelay is the first retry delay of the sync loop and of sends;
	// it doubles with every failure in a row (default 1s).
	RetryDelay time.Duration
	// MaxBackoff caps the retry backoff of the sync loop and of sends
	// (default 1 minute).
	MaxBackoff time.Duration
	// SendRetries is how often a call WeChat refuses as too frequent
	// (1205) is made again after the cooldown it causes: a send, a
	// webwxbatchgetcontact batch or an upload chunk (default 3).
	SendRetries int
	// ContactInterval is the minimum time between two webwxbatchgetcontact
	// calls (default 1s; negative means no pacing). The official client
	// fetches contact details a few at a time as chats are opened; a bridge
	// that fetched every member of every group back to back would stand out.
	ContactInterval time.Duration
	// GroupCreateInterval is the minimum time between two group creations
	// (webwxcreatechatroom; default 20 minutes, negative means none). WeChat
	// allows about two or three an hour; a creation asked for sooner, or
	// within the hour after WeChat said "too frequent", is refused by the
	// client with a *CreatePacedError and never reaches WeChat.
	GroupCreateInterval time.Duration
	// Observer, when set, is told about every API call (see Observer).
	Observer Observer
	// Now is the clock of the cookie jar (cookie expiry) and of the
	// refresh of the session cookies before they expire; nil means
	// time.Now. Tests share a clock they can move with the simulator.
	Now func() time.Time
}

const (
	defaultSendInterval   = time.Second
	defaultMaxMediaSize   = 100 << 20
	defaultRequestTimeout = 30 * time.Second
	defaultPollTimeout    = 35 * time.Second
	defaultMaxBackoff     = time.Minute
	defaultSendRetries    = 3
	defaultContactPace    = time.Second
	defaultCreatePace     = 20 * time.Minute
)

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeDesktop
	}
	if c.SendInterval == 0 {
		c.SendInterval = defaultSendInterval
	}
	if c.MaxMediaSize <= 0 {
		c.MaxMediaSize = defaultMaxMediaSize
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = defaultRequestTimeout
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = defaultPollTimeout
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = 2 * c.PollTimeout
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = defaultMaxBackoff
	}
	if c.SendRetries <= 0 {
		c.SendRetries = defaultSendRetries
	}
	if c.ContactInterval == 0 {
		c.ContactInterval = defaultContactPace
	}
	if c.GroupCreateInterval == 0 {
		c.GroupCreateInterval = defaultCreatePace
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) userAgent() string {
	if c.Mode == ModeWeb {
		return UserAgentWeb
	}
	return UserAgentUOS
}
