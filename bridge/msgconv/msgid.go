package msgconv

import (
	"maunium.net/go/mautrix/bridgev2/networkid"
)

// MsgIDKey is the key under which every Matrix event the bridge sends for a
// WeChat message carries the message's ID, so that a message the
// homeserver stored without the bridge hearing back is found in its room
// instead of being sent twice (see bridge/redelivery.go).
const MsgIDKey = "io.github.wxbridge.msg_id"

// msgIDExtra is the event content that names a message's WeChat ID.
func msgIDExtra(msgID networkid.MessageID) map[string]any {
	return map[string]any{MsgIDKey: string(msgID)}
}
