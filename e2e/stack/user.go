package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// DefaultWait bounds every wait of a User unless User.Wait says otherwise.
const DefaultWait = 30 * time.Second

// User is a Matrix account driven by a test. A background /sync loop joins
// the rooms the bridge bot or a ghost invites it to; everything else reads
// the homeserver directly.
type User struct {
	Client *mautrix.Client
	ID     id.UserID
	// ManagementRoom is set by CreateManagementRoom.
	ManagementRoom id.RoomID
	// Wait bounds each Wait… call.
	Wait time.Duration

	bridge *Bridge
	log    zerolog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	joined  []id.RoomID // rooms joined by the sync loop
	syncErr error       // the sync loop's last error, for diagnostics
}

// Login logs in an account the stack created, with its password, and
// starts the user's sync loop. The stack closes the user.
func (s *Stack) Login(ctx context.Context, localpart string) (*User, error) {
	password := s.Password(localpart)
	if password == "" {
		return nil, fmt.Errorf("no account %q was created by the stack", localpart)
	}
	log := s.log.With().Str("matrix_user", localpart).Logger()
	cli, err := PasswordLogin(ctx, s.HS.URL, localpart, password, log.Level(zerolog.WarnLevel))
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	u := &User{Client: cli, ID: cli.UserID, Wait: DefaultWait, bridge: s.Bridge, log: log, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(u.done)
		u.syncLoop(runCtx)
	}()
	s.mu.Lock()
	s.users = append(s.users, u)
	s.mu.Unlock()
	return u, nil
}

// PasswordLogin logs in to the homeserver at hsURL with a password and
// returns the client, which keeps the access token and logs to log.
func PasswordLogin(ctx context.Context, hsURL, localpart, password string, log zerolog.Logger) (*mautrix.Client, error) {
	cli, err := mautrix.NewClient(hsURL, "", "")
	if err != nil {
		return nil, err
	}
	cli.Log = log
	_, err = cli.Login(ctx, &mautrix.ReqLogin{
		Type:             mautrix.AuthTypePassword,
		Identifier:       mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
		Password:         password,
		StoreCredentials: true,
	})
	if err != nil {
		return nil, fmt.Errorf("logging in as %s: %w", localpart, err)
	}
	return cli, nil
}

// Close stops the sync loop.
func (u *User) Close() {
	u.cancel()
	<-u.done
}

// syncLoop long-polls /sync and joins invites from the bridge.
func (u *User) syncLoop(ctx context.Context) {
	filterID := ""
	if resp, err := u.Client.CreateFilter(ctx, &mautrix.Filter{
		Room: &mautrix.RoomFilter{Timeline: &mautrix.FilterPart{Limit: 1}},
	}); err == nil {
		filterID = resp.FilterID
	}
	since := ""
	for ctx.Err() == nil {
		resp, err := u.Client.SyncRequest(ctx, 5000, since, filterID, false, event.PresenceOffline)
		if err != nil {
			u.setSyncErr(err)
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		since = resp.NextBatch
		for roomID, room := range resp.Rooms.Invite {
			inviter := inviterOf(room, u.ID)
			if !u.bridge.IsBridgeUser(inviter) {
				u.log.Debug().Stringer("room_id", roomID).Stringer("inviter", inviter).Msg("Not joining an invite from outside the bridge")
				continue
			}
			if err := u.joinWithRetry(ctx, roomID); err != nil {
				u.setSyncErr(err)
			}
		}
	}
}

func (u *User) setSyncErr(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	u.mu.Lock()
	u.syncErr = err
	u.mu.Unlock()
	u.log.Warn().Err(err).Msg("Sync loop error")
}

func (u *User) joinWithRetry(ctx context.Context, roomID id.RoomID) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if _, err = u.Client.JoinRoomByID(ctx, roomID); err == nil {
			u.mu.Lock()
			u.joined = append(u.joined, roomID)
			u.mu.Unlock()
			u.log.Debug().Stringer("room_id", roomID).Msg("Joined room")
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return fmt.Errorf("joining %s: %w", roomID, err)
}

// inviterOf finds who invited user in an invited room's stripped state.
func inviterOf(room *mautrix.SyncInvitedRoom, user id.UserID) id.UserID {
	for _, evt := range room.State.Events {
		if evt.Type == event.StateMember && evt.GetStateKey() == user.String() {
			return evt.Sender
		}
	}
	return ""
}

// IsBridgeUser reports whether mxid is the bridge bot or a ghost.
func (b *Bridge) IsBridgeUser(mxid id.UserID) bool {
	return mxid == b.Bot || b.IsGhost(mxid)
}

// IsGhost reports whether mxid is in the bridge's ghost namespace.
func (b *Bridge) IsGhost(mxid id.UserID) bool {
	return b.ghostPrefix != "" && mxid.Homeserver() == Domain && strings.HasPrefix(mxid.Localpart(), b.ghostPrefix)
}

// GhostMXID is the MXID of the ghost with a bridgev2 ghost ID (a PUID, or
// "self_" and a uin), escaped as bridgev2 escapes it.
func (b *Bridge) GhostMXID(ghostID string) id.UserID {
	return id.NewUserID(b.ghostPrefix+id.EncodeUserLocalpart(ghostID), Domain)
}

// CreateManagementRoom creates a direct chat with the bridge bot and waits
// until the bot has joined it.
func (u *User) CreateManagementRoom(ctx context.Context) (id.RoomID, error) {
	resp, err := u.Client.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Invite:   []id.UserID{u.bridge.Bot},
		IsDirect: true,
		Preset:   "trusted_private_chat",
	})
	if err != nil {
		return "", fmt.Errorf("creating the management room: %w", err)
	}
	if err = u.WaitJoined(ctx, resp.RoomID, u.bridge.Bot); err != nil {
		return "", err
	}
	u.ManagementRoom = resp.RoomID
	return resp.RoomID, nil
}

// CreateRoom creates a room with a name (not a direct chat) and invites
// the given users.
func (u *User) CreateRoom(ctx context.Context, name string, invite ...id.UserID) (id.RoomID, error) {
	resp, err := u.Client.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Name:   name,
		Invite: invite,
		Preset: "private_chat",
	})
	if err != nil {
		return "", fmt.Errorf("creating room %q: %w", name, err)
	}
	return resp.RoomID, nil
}

// Join joins a room.
func (u *User) Join(ctx context.Context, roomID id.RoomID) error {
	return u.joinWithRetry(ctx, roomID)
}

// SendText sends a plain m.text message.
func (u *User) SendText(ctx context.Context, roomID id.RoomID, text string) (id.EventID, error) {
	return u.SendContent(ctx, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: text})
}

// SendContent sends an m.room.message.
func (u *User) SendContent(ctx context.Context, roomID id.RoomID, content *event.MessageEventContent) (id.EventID, error) {
	resp, err := u.Client.SendMessageEvent(ctx, roomID, event.EventMessage, content)
	if err != nil {
		return "", fmt.Errorf("%s sending to %s: %w", u.ID, roomID, err)
	}
	return resp.EventID, nil
}

// Download fetches media through the authenticated media API.
func (u *User) Download(ctx context.Context, uri id.ContentURIString) ([]byte, error) {
	parsed, err := uri.Parse()
	if err != nil {
		return nil, err
	}
	return u.Client.DownloadBytes(ctx, parsed)
}

// ProfileName is a user's global display name ("" if none).
func (u *User) ProfileName(ctx context.Context, mxid id.UserID) (string, error) {
	resp, err := u.Client.GetProfile(ctx, mxid)
	if err != nil {
		return "", err
	}
	return resp.DisplayName, nil
}

// Profile is a user's global profile.
func (u *User) Profile(ctx context.Context, mxid id.UserID) (*mautrix.RespUserProfile, error) {
	return u.Client.GetProfile(ctx, mxid)
}
