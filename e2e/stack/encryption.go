package stack

// Encryption turns on the bridge's end-to-bridge encryption (bridgev2's
// encryption section) the way it works on Dendrite: portals are created
// encrypted, and the bridge bot logs in a device of its own and syncs for
// its to-device messages, because Dendrite cannot push those to an
// appservice (with appservice: true outbound messages fail with "the
// bridge hasn't received the decryption keys").
type Encryption struct {
	// Require drops unencrypted messages from Matrix and encrypts
	// everything the bridge sends, also in rooms without m.room.encryption
	// (such as a management room created unencrypted).
	Require bool
}

// values are the bridge config values for e.
func (e *Encryption) values() map[string]any {
	if e == nil {
		return nil
	}
	return map[string]any{
		"encryption.allow":      true,
		"encryption.default":    true,
		"encryption.appservice": false,
		"encryption.require":    e.Require,
	}
}
