package e2e_test

import (
	"net/http"
	"strings"
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
	// Once alice's portal is there the first chat sync is over: the rooms
	// made after it are for the new chats below.
	e.waitPortal(e.u, seedName("alice"), seedName("alice"))

	isCreateRoom := func(r *http.Request, _ []byte) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/createRoom")
	}
	// The first state events of the new room: right after creating it the
	// bridge sets who is in it (the user's own ghost, the user invited, the
	// contact's ghost invited and joined) with PUT
	// /rooms/{room}/state/m.room.member/{user}.
	memberOf := func(r *http.Request) (id.UserID, bool) {
		_, target, ok := strings.Cut(r.URL.Path, "/state/m.room.member/")
		return id.UserID(target), ok && r.Method == http.MethodPut
	}
	isContactMember := func(r *http.Request, _ []byte) bool {
		target, ok := memberOf(r)
		return ok && e.s.Bridge.IsGhost(target) && !strings.Contains(target.Localpart(), "self")
	}
	isUserInvite := func(r *http.Request, _ []byte) bool {
		target, ok := memberOf(r)
		return ok && target == e.u.ID
	}
	tests := []struct {
		name    string
		contact string
		match   func(r *http.Request, body []byte) bool
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
			e.s.Sim.AddContact(wechattest.SeedContact{ID: tt.contact, NickName: name, Friend: true})
			failed := e.s.Front.FailRequests(tt.match, tt.n, tt.fault)
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
		})
	}
}
