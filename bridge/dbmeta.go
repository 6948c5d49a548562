package bridge

import (
	"maunium.net/go/mautrix/bridgev2/database"

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
}

// GetDBMetaTypes returns the metadata types of the bridgev2 tables.
func (wc *WeChatConnector) GetDBMetaTypes() database.MetaTypes {
	return database.MetaTypes{
		UserLogin: func() any { return &UserLoginMetadata{} },
		Message:   func() any { return &msgconv.MessageMetadata{} },
	}
}
