package metrics

// The label values of wxbridge's metrics. Each label has a small fixed set
// of values, declared here as a Go type; nothing from users (IDs, names,
// texts) ever becomes a label value.

// Direction is which way something crossed the bridge.
type Direction uint8

const (
	// ToMatrix is WeChat → Matrix.
	ToMatrix Direction = iota
	// ToWeChat is Matrix → WeChat.
	ToWeChat
	numDirections
)

var directionNames = [numDirections]string{"wechat_to_matrix", "matrix_to_wechat"}

func (d Direction) String() string { return directionNames[d] }

// Kind is what a message is. WeChat → Matrix uses every kind but audio;
// Matrix → WeChat uses text, image, sticker, audio, video, file, location
// and other (see kindsOf).
type Kind uint8

const (
	KindText Kind = iota
	KindImage
	KindSticker
	// KindVoice is a WeChat voice note.
	KindVoice
	// KindAudio is Matrix audio or a voice message (sent as a file).
	KindAudio
	KindVideo
	KindFile
	KindLocation
	// KindLink is a link or an official account's articles.
	KindLink
	// KindSystem is a system message or notice of a chat (joins, renames,
	// tips).
	KindSystem
	// KindRecall is a message recalled on WeChat.
	KindRecall
	// KindStatus is a status notify; those saying a chat was read on the
	// phone become read receipts, the others are skipped.
	KindStatus
	KindFriendRequest
	// KindOther is everything else: red packets, transfers, calls, mini
	// programs, contact cards, chat histories, unknown kinds, and inbox
	// items that cannot be read.
	KindOther
	numKinds
)

var kindNames = [numKinds]string{
	"text", "image", "sticker", "voice", "audio", "video", "file", "location",
	"link", "system", "recall", "status", "friend_request", "other",
}

func (k Kind) String() string { return kindNames[k] }

// Outcome is what became of a message.
type Outcome uint8

const (
	// OK: bridged (WeChat → Matrix: in the room, or for a friend request in
	// the management room; Matrix → WeChat: WeChat accepted it).
	OK Outcome = iota
	// Failed: an attempt failed. WeChat → Matrix the message stays in the
	// inbox and is tried again, so one message may fail several times
	// before it is bridged; Matrix → WeChat the sender sees a failed status.
	Failed
	// Skipped (WeChat → Matrix): not bridged on purpose, such as system
	// notices, official accounts when they are not bridged, status notifies
	// other than reads.
	Skipped
	// Dropped (WeChat → Matrix): an inbox item that could not be read was
	// deleted; always of kind other.
	Dropped
	// Rejected (Matrix → WeChat): refused before sending: a kind WeChat
	// cannot receive, no text, too large, a chat gone from the session.
	Rejected
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"ok", "failed", "skipped", "dropped", "rejected"}

func (o Outcome) String() string { return outcomeNames[o] }

// Reason is why something went wrong.
type Reason uint8

const (
	// RateLimited: WeChat answered 1205 ("too frequent") to a call: a sync
	// or a send (sends are retried, so not every one loses a message).
	RateLimited Reason = iota
	// SessionLost: WeChat ended a login's session (1100, 1101, 1102).
	SessionLost
	// Homeserver: a request to the Matrix homeserver failed while bridging
	// a WeChat message, or downloading an attachment to send to WeChat.
	Homeserver
	// TooLarge: an attachment above network.max_media_size, either way.
	TooLarge
	// OtherReason: any other failed attempt (network trouble or errors from
	// WeChat when sending, media WeChat would not give, database errors).
	OtherReason
	numReasons
)

var reasonNames = [numReasons]string{"rate_limited", "session_lost", "homeserver", "too_large", "other"}

func (r Reason) String() string { return reasonNames[r] }

// IdentityOutcome is how the identity layer mapped a session UserName to a
// PUID. The names are those of database.MatchMethod; ambiguous is a new
// PUID although stored identities fit (an admin may merge them).
type IdentityOutcome uint8

const (
	IdentitySameUserName IdentityOutcome = iota
	IdentityAlias
	IdentityRemark
	IdentityProfile
	IdentityGroupMembers
	IdentityGroupName
	IdentityNew
	IdentityAmbiguous
	numIdentityOutcomes
)

var identityNames = [numIdentityOutcomes]string{
	"same-username", "alias", "remark", "profile", "group-members", "group-name", "new", "ambiguous",
}

func (o IdentityOutcome) String() string { return identityNames[o] }

// SyncEndpoint is a call of the sync loop.
type SyncEndpoint uint8

const (
	// SyncCheck is the long poll that tells whether there is news.
	SyncCheck SyncEndpoint = iota
	// WebWxSync fetches the news.
	WebWxSync
	numSyncEndpoints
)

var syncEndpointNames = [numSyncEndpoints]string{"synccheck", "webwxsync"}

func (e SyncEndpoint) String() string { return syncEndpointNames[e] }

// loginStates are the bridge state events a login is counted under, in the
// order they are exported. Logins in a state not listed count as
// UNKNOWN_ERROR.
var loginStates = [...]string{
	"STARTING", "CONNECTING", "BACKFILLING", "CONNECTED", "TRANSIENT_DISCONNECT",
	"BAD_CREDENTIALS", "UNKNOWN_ERROR", "LOGGED_OUT",
}

// kindsOf are the kinds that go each way.
func kindsOf(d Direction) []Kind {
	if d == ToWeChat {
		return []Kind{KindText, KindImage, KindSticker, KindAudio, KindVideo, KindFile, KindLocation, KindOther}
	}
	return []Kind{
		KindText, KindImage, KindSticker, KindVoice, KindVideo, KindFile, KindLocation, KindLink,
		KindSystem, KindRecall, KindStatus, KindFriendRequest, KindOther,
	}
}

// outcomesOf are the outcomes of a kind of message going one way.
func outcomesOf(d Direction, k Kind) []Outcome {
	if d == ToWeChat {
		return []Outcome{OK, Failed, Rejected}
	}
	if k == KindOther {
		return []Outcome{OK, Failed, Skipped, Dropped}
	}
	return []Outcome{OK, Failed, Skipped}
}
