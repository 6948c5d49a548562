package wechattest

import (
	"time"

	"github.com/rs/zerolog"
)

// Config tunes a Server. The zero value is a server that behaves like the
// real one, with the default seed account.
type Config struct {
	// WebHost is the account's web host, named in the login poll's
	// redirect_uri (default "wx2.qq.com"). The server routes by the Host
	// header: the web host and its login., file. and webpush. hosts
	// (hosts.go); clients keep these names and send the connection to
	// the simulator (wechat.Config.ServerOverride).
	WebHost string
	// LoginPollHold is how long the login poll is held before it answers
	// 408 (default 25s).
	LoginPollHold time.Duration
	// SyncCheckHold is how long synccheck is held before it answers
	// selector 0 (default 25s).
	SyncCheckHold time.Duration
	// SyncBatchSize is the most AddMsgList items one webwxsync returns
	// (default 50); ContinueFlag is 1 when more remain.
	SyncBatchSize int
	// ContactPageSize is the page size of webwxgetcontact (default 500).
	ContactPageSize int
	// WebLoginBarred makes web-mode logins fail with ret 1203, as for most
	// accounts since 2017; desktop mode still works.
	WebLoginBarred bool
	// GroupCreation is how webwxcreatechatroom is answered. The zero
	// value refuses, as the real server has for most accounts since
	// 2018; tests that create groups allow it (GroupCreationAllowed).
	GroupCreation GroupCreation
	// RateLimit is how often the account may send and fetch contacts
	// before the server answers 1205; the zero value is the real server's
	// limits as users measured them (see RateLimit).
	RateLimit RateLimit
	// Seed is the account and its contacts; nil means DefaultSeed().
	Seed *Seed
	// CookieLifetime is how long the session cookies (wxsid, wxuin,
	// webwx_data_ticket…) last after webwxnewloginpage or the latest
	// webwxsync set them (default 12h, as on the real server). After that
	// the session's calls are answered as calls without cookies.
	CookieLifetime time.Duration
	// Now is the server's clock (message times, the revoke window, cookie
	// expiry); nil means time.Now. A Clock's Now lets a test move it.
	Now func() time.Time
	// ControlAPI serves the control API under /_sim/ (for the standalone
	// simulator; see ControlHandler).
	ControlAPI bool
	// Log receives the server's log. nil means no logging. Secrets
	// (skey, sid, pass_ticket, cookies) are never logged.
	Log *zerolog.Logger
}

// Default values of Config.
const (
	DefaultWebHost         = "wx2.qq.com"
	DefaultLoginPollHold   = 25 * time.Second
	DefaultSyncCheckHold   = 25 * time.Second
	DefaultSyncBatchSize   = 50
	DefaultContactPageSize = 500
	DefaultCookieLifetime  = 12 * time.Hour
)

func (c Config) withDefaults() Config {
	if c.WebHost == "" {
		c.WebHost = DefaultWebHost
	}
	if c.LoginPollHold <= 0 {
		c.LoginPollHold = DefaultLoginPollHold
	}
	if c.SyncCheckHold <= 0 {
		c.SyncCheckHold = DefaultSyncCheckHold
	}
	if c.SyncBatchSize <= 0 {
		c.SyncBatchSize = DefaultSyncBatchSize
	}
	if c.CookieLifetime <= 0 {
		c.CookieLifetime = DefaultCookieLifetime
	}
	if c.ContactPageSize <= 0 {
		c.ContactPageSize = DefaultContactPageSize
	}
	if c.Seed == nil {
		c.Seed = DefaultSeed()
	} else {
		c.Seed = c.Seed.clone()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
