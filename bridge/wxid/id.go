// Package wxid converts between WeChat identifiers and bridgev2's networkid
// values. It holds no state: PUIDs come from the identity layer in database/.
package wxid

import (
	"fmt"
	"strconv"

	"maunium.net/go/mautrix/bridgev2/networkid"
)

// MakeUserLoginID is the login ID of an account: its stable uin in decimal.
func MakeUserLoginID(uin int64) networkid.UserLoginID {
	return networkid.UserLoginID(strconv.FormatInt(uin, 10))
}

// ParseUserLoginID returns the uin of a login ID.
func ParseUserLoginID(id networkid.UserLoginID) (int64, error) {
	uin, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil || uin <= 0 {
		return 0, fmt.Errorf("wxid: %q is not a WeChat uin", id)
	}
	return uin, nil
}

// MakeUserID is the ghost ID of a contact: its PUID.
func MakeUserID(puid string) networkid.UserID {
	return networkid.UserID(puid)
}

// MakeSelfUserID is the ghost ID of the logged-in account itself, used for its
// messages from the phone when double puppeting is off: "self_" and the uin.
// The underscore keeps it apart from every PUID (lowercase base32).
func MakeSelfUserID(loginID networkid.UserLoginID) networkid.UserID {
	return networkid.UserID(selfPrefix + string(loginID))
}

const selfPrefix = "self_"

// MakePortalKey is the portal of a chat (a DM, a group or the file helper)
// seen by one login: the chat's PUID, received by that login.
func MakePortalKey(puid string, loginID networkid.UserLoginID) networkid.PortalKey {
	return networkid.PortalKey{ID: networkid.PortalID(puid), Receiver: loginID}
}

// MakeMessageID is the message ID of a WeChat message: its NewMsgId in decimal.
func MakeMessageID(newMsgID int64) networkid.MessageID {
	return networkid.MessageID(strconv.FormatInt(newMsgID, 10))
}

// ParseMessageID returns the NewMsgId of a message ID. It never goes through
// a float: the IDs exceed 2^53.
func ParseMessageID(id networkid.MessageID) (int64, error) {
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("wxid: %q is not a WeChat message ID", id)
	}
	return n, nil
}
