package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// TestPortalCreationUnderFaults: the homeserver fails (HTTP 500, or the
// connection drops) while the bridge creates the portal for a new chat's
// first message: the room itself, or its first state events (who is in
// it). Once the
// homeserver answers again, the message arrives exactly once, in the one
// room the chat has, and the chat's next message follows it.
func TestPortalCreationUnderFaults(t *testing.T) {
	e := setup(t, stack.Options{HomeserverFront: true})
	e.login(e.u, e.s.Sim, defaultSelf)
	// Once the first chat sync is over no other room is being made: the
	// rooms created after that are for the new chats below.
	e.waitUntil("the bridge to end its first chat sync", func(context.Context) (bool, error) {
		log, err := os.ReadFile(e.s.Bridge.LogPath)
		return bytes.Contains(log, []byte("Synced chats")), err
	})

	// A fault is for the new chat's room only. Each case takes a mark (the
	// rooms created so far) before its chat exists; membership requests
	// match only in rooms created after it. A createRoom request has no room
	// yet: any matches, as no other room is being made by then.
	type matcher = func(r *http.Request, body []byte) bool
	isCreateRoom := func(int) matcher {
		return func(r *http.Request, _ []byte) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/createRoom")
		}
	}
	// The first state events of the new room: right after creating it the
	// bridge sets who is in it (the user's own ghost, the user invited, the
	// contact's ghost invited and joined) with PUT
	// /rooms/{room}/state/m.room.member/{user}.
	roomOf := func(r *http.Request, suffix string) (string, bool) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/_matrix/client/v3/rooms/")
		room, _, found := strings.Cut(rest, suffix)
		return room, ok && found
	}
	memberOf := func(r *http.Request, mark int) (id.UserID, bool) {
		room, ok := roomOf(r, "/state/m.room.member/")
		_, target, _ := strings.Cut(r.URL.Path, "/state/m.room.member/")
		return id.UserID(target), ok && r.Method == http.MethodPut && e.s.Front.CreatedAfter(room, mark)
	}
	isContactMember := func(mark int) matcher {
		return func(r *http.Request, _ []byte) bool {
			target, ok := memberOf(r, mark)
			return ok && e.s.Bridge.IsGhost(target) && !strings.Contains(target.Localpart(), "self")
		}
	}
	isUserInvite := func(mark int) matcher {
		return func(r *http.Request, _ []byte) bool {
			target, ok := memberOf(r, mark)
			return ok && target == e.u.ID
		}
	}
	// invitesOf counts the requests that reached the homeserver to invite
	// the user to a room created after mark: a state event or POST /invite.
	invitesOf := func(mark int) *atomic.Int32 {
		var n atomic.Int32
		e.s.Front.Observe(func(r *http.Request, body []byte, _, _ time.Time) {
			if target, ok := memberOf(r, mark); ok && target == e.u.ID && bytes.Contains(body, []byte(`"membership":"invite"`)) {
				n.Add(1)
			}
			room, ok := roomOf(r, "/invite")
			if ok && r.Method == http.MethodPost && e.s.Front.CreatedAfter(room, mark) && bytes.Contains(body, []byte(strconv.Quote(e.u.ID.String()))) {
				n.Add(1)
			}
		})
		return &n
	}
	tests := []struct {
		name    string
		contact string
		match   func(mark int) matcher
		n       int
		fault   stack.RequestFault
	}{
		{"room creation answered HTTP 500", "gina", isCreateRoom, 1, stack.RefuseHTTP500},
		{"connection dropped at room creation", "hank", isCreateRoom, 2, stack.RefuseDrop},
		{"contact's membership answered HTTP 500", "ivan", isContactMember, 1, stack.RefuseHTTP500},
		{"connection dropped at the contact's membership", "judy", isContactMember, 1, stack.RefuseDrop},
		{"user's invite answered HTTP 500", "kate", isUserInvite, 1, stack.RefuseHTTP500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			name := strings.ToUpper(tt.contact[:1]) + tt.contact[1:] + " New"
			mark := e.s.Front.RoomsCreated()
			e.s.Sim.AddContact(wechattest.SeedContact{ID: tt.contact, NickName: name, Friend: true})
			invites := invitesOf(mark)
			failed := e.s.Front.FailRequests(tt.match(mark), tt.n, tt.fault)
			first := "first message from " + name
			e.s.Sim.InjectText(tt.contact, "", first)
			select {
			case <-failed:
			case <-time.After(stack.DefaultWait):
				t.Fatalf("the bridge made no request the fault applies to within %v", stack.DefaultWait)
			}

			p := e.waitPortal(e.u, name, name)
			ghost := p.ghosts[name]
			e.waitMessage(e.u, p.ID, ghost, first)
			// A second delivery of the first message would come before the
			// chat's next message: a chat's messages are bridged in order.
			next := "next message from " + name
			e.s.Sim.InjectText(tt.contact, "", next)
			e.waitMessage(e.u, p.ID, ghost, next)

			bodies := e.bodies(e.u, p.ID, ghost)
			assert.Equal(t, []string{first, next}, bodies, "the chat's messages, once each and in order")
			rooms, err := e.u.Rooms(e.ctx)
			require.NoError(t, err)
			named := 0
			for _, ri := range rooms {
				if ri.Name == name {
					named++
				}
			}
			assert.Equal(t, 1, named, "the chat has one room")
			// An invite sent again while the user joins can cross their
			// join; Dendrite then counts them as invited and hides the
			// room's history from them.
			assert.EqualValues(t, 1, invites.Load(), "the homeserver was asked once to invite the user")
		})
	}
}
