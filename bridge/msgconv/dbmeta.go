package msgconv

// MessageMetadata is what bridgev2 keeps for a message in message.metadata.
// The converter writes the snippet and reads it back to find and render
// quotes; the bridge registers the type (GetDBMetaTypes) and sets
// ClientMsgID for what it sent.
type MessageMetadata struct {
	// ClientMsgID is the ID the bridge gave a message it sent to WeChat;
	// recalling the message needs it along with the server's ID.
	ClientMsgID string `json:"client_msg_id,omitempty"`
	// Text is the start of the message's text (see quoteSnippet), or a label
	// such as "[Image]" for media: WeChat quotes show it, and it is how a
	// quote from WeChat, which carries no message ID, finds its message.
	Text string `json:"text,omitempty"`
}
