package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// TestLostAnswerNotDoubled: the homeserver stores a message but the bridge
// never learns it did, because the answer fails or because the bridge dies
// while it waits, and lists it in the room's history only a while later.
// The message still shows exactly once, the chat's next
// message follows it, and a recall from WeChat redacts it (so the bridge
// knows which event it is).
func TestLostAnswerNotDoubled(t *testing.T) {
	e := setup(t, stack.Options{HomeserverFront: true})
	e.login(e.u, e.s.Sim, defaultSelf)
	sim := e.s.Sim
	sim.InjectText("alice", "", "hello")
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	ghost := alice.ghosts[seedName("alice")]
	e.waitMessage(e.u, alice.ID, ghost, "hello")

	for _, tt := range lostAnswers() {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			body := "lost answer: " + tt.name
			stored := e.s.Front.LoseAnswer(func(r *http.Request, reqBody []byte) bool {
				return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/send/m.room.message/") &&
					bytes.Contains(reqBody, []byte(body))
			}, tt.fault, lostAnswerReadLag)
			msgID := sim.InjectText("alice", "", body)
			select {
			case <-stored:
			case <-time.After(stack.DefaultWait):
				t.Fatalf("the bridge never sent %q to the homeserver", body)
			}
			if tt.then != nil {
				tt.then(t, e)
			}
			next := "next after: " + tt.name
			sim.InjectText("alice", "", next)
			e.waitMessage(e.u, alice.ID, ghost, next)

			bodies := e.bodies(e.u, alice.ID, ghost)
			assert.Equal(t, 1, count(bodies, body), "the message shows once; alice's messages: %q", bodies)
			assert.Less(t, slices.Index(bodies, body), slices.Index(bodies, next), "in WeChat's order")

			evt := e.waitMessage(e.u, alice.ID, ghost, body)
			sim.InjectRecall("alice", "alice", msgID)
			e.waitUntil("the recalled message to be redacted", func(ctx context.Context) (bool, error) {
				got, err := e.u.Client.GetEvent(ctx, alice.ID, evt.ID)
				if err != nil {
					return false, err
				}
				return got.Unsigned.RedactedBecause != nil, nil
			})
		})
	}
}

// lostAnswerReadLag is how long after storing a message the homeserver
// lists it in the room's history in the lost-answer tests, so the
// bridge's retry comes before.
const lostAnswerReadLag = 1500 * time.Millisecond

// lostAnswer is one way for the bridge not to learn that the homeserver
// stored its message; then runs once the homeserver has stored it.
type lostAnswer struct {
	name  string
	fault stack.AnswerFault
	then  func(t *testing.T, e *env)
}

func lostAnswers() []lostAnswer {
	return []lostAnswer{
		{"homeserver fails while answering", stack.AnswerHTTP500, nil},
		{"bridge killed while waiting", stack.AnswerNever, func(t *testing.T, e *env) {
			require.NoError(t, e.s.Bridge.Kill())
			require.NoError(t, e.s.Bridge.Start(e.ctx))
		}},
	}
}
