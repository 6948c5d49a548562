package bridge

import (
	"time"

	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/bridgev2/status"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
)

// UserLoginMetadata is what bridgev2 keeps for a login in user_login.metadata.
//
// The Web WeChat session itself (cookies, skey, wxsid, pass_ticket, sync keys)
// is not here: it lives in our wechat_session table, keyed by the login ID,
// because its sync keys must be written in the same transaction as the inbox
// items they cover (database.InboxQuery.StoreBatch). Keeping a second copy in
// the metadata would let the two drift apart, and would put secrets in a
// table that bridgev2 logs and exports. This struct holds only what is safe
// to show.
type UserLoginMetadata struct {
	// LoginMode is the mode ("desktop" or "web") the session was created in.
	LoginMode string `json:"login_mode,omitempty"`
	// LoggedOutRet is the ret code (1100, 1101, 1102) with which WeChat ended
	// the session, or 0 while it is believed to be alive. A new login clears it.
	LoggedOutRet int `json:"logged_out_ret,omitempty"`
	// LoggedOutCode is the bridge state error code the login was last put in
	// BAD_CREDENTIALS with (wx-logged-out, wx-restricted …), so that a
	// restart restores the same state; empty for metadata written before it
	// existed, which restores the code of LoggedOutRet.
	LoggedOutCode status.BridgeStateErrorCode `json:"logged_out_code,omitempty"`

	// LoggedInAt is when the login that created this session completed
	// (QR or push login): a session WeChat ends soon after it counts as a
	// restriction (restrict.go).
	LoggedInAt time.Time `json:"logged_in_at,omitzero"`
	// Logouts are the times WeChat ended a session of this account in the
	// last day, oldest first. A new login of the account carries them over,
	// so that repeated logouts are seen across logins.
	Logouts []time.Time `json:"logouts,omitempty"`
	// Restriction is the latest sign that WeChat restricts the account, or
	// nil. Until its cool-down passes, `login` asks before it contacts
	// WeChat. A new login clears it.
	Restriction *Restriction `json:"restriction,omitempty"`
	// PushLoginRefused is set when WeChat refused a push login of this
	// account or the phone did not confirm it: the next login shows a QR
	// code right away. A new login clears it.
	PushLoginRefused bool `json:"push_login_refused,omitempty"`
}

// Restriction is a sign that WeChat restricts an account: what it was (a
// bridge state error code of restrict.go), when, and what the server said.
type Restriction struct {
	Code status.BridgeStateErrorCode `json:"code"`
	At   time.Time                   `json:"at"`
	// ServerMessage is WeChat's own text (with 1203), the words the phone
	// shows; empty when WeChat gave none.
	ServerMessage string `json:"server_message,omitempty"`
}

// GetDBMetaTypes returns the metadata types of the bridgev2 tables.
func (wc *WeChatConnector) GetDBMetaTypes() database.MetaTypes {
	return database.MetaTypes{
		UserLogin: func() any { return &UserLoginMetadata{} },
		Message:   func() any { return &msgconv.MessageMetadata{} },
	}
}
