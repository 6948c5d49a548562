package wechat

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/rs/zerolog"
)

// Session is everything needed to continue a login without a new QR scan.
// It is one JSON value. It holds secrets (skey, wxsid, pass_ticket,
// cookies): store it like a password and never log it; its zerolog form
// shows only the uin and the web host.
type Session struct {
	Hosts        Hosts     `json:"hosts"`
	Uin          int64     `json:"uin"`
	Sid          string    `json:"sid"`
	SKey         string    `json:"skey"`
	PassTicket   string    `json:"pass_ticket"`
	DeviceID     string    `json:"device_id"`
	SyncKey      SyncKey   `json:"sync_key"`
	SyncCheckKey SyncKey   `json:"sync_check_key"`
	Self         Contact   `json:"self"`
	Cookies      []Cookie  `json:"cookies"`
	LoginTime    time.Time `json:"login_time"`
	Desktop      bool      `json:"desktop,omitempty"`
}

// MarshalZerologObject logs the session without its secrets.
func (s *Session) MarshalZerologObject(e *zerolog.Event) {
	e.Int64("uin", s.Uin).Str("web_host", s.Hosts.Web)
}

// String keeps secrets out of %v and %s.
func (s *Session) String() string {
	return "wechat.Session{uin:" + strconv.FormatInt(s.Uin, 10) + " web_host:" + s.Hosts.Web + "}"
}

// GoString keeps secrets out of %#v.
func (s *Session) GoString() string { return s.String() }

// Clone returns a deep copy.
func (s *Session) Clone() *Session {
	out := *s
	out.SyncKey = s.SyncKey.clone()
	out.SyncCheckKey = s.SyncCheckKey.clone()
	out.Cookies = append([]Cookie(nil), s.Cookies...)
	out.Self.MemberList = append([]Member(nil), s.Self.MemberList...)
	return &out
}

// Valid reports whether the session has the fields every call needs.
func (s *Session) Valid() bool {
	return s != nil && s.Uin != 0 && s.Sid != "" && s.SKey != "" && s.Hosts.Web != ""
}

// BaseRequest builds the BaseRequest of this session.
func (s *Session) BaseRequest() BaseRequest {
	return BaseRequest{Uin: s.Uin, Sid: s.Sid, Skey: s.SKey, DeviceID: s.DeviceID}
}

// NewDeviceID returns "e" followed by 15 random digits.
func NewDeviceID() string {
	return "e" + randomDigits(15)
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rand.IntN(10))
	}
	return string(b)
}
