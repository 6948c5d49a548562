package e2e_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/internal/pgtest"
)

// TestRestart: a restarted bridge resumes the session without a QR code,
// delivers what arrived while it was down exactly once and in order, and
// bridges nothing again.
func TestRestart(t *testing.T) {
	testRestart(t, stack.Options{DoublePuppet: true})
}

// TestRestartPostgres is TestRestart with the bridge on PostgreSQL, in a
// database of its own that is dropped after the stack has stopped.
func TestRestartPostgres(t *testing.T) {
	testRestart(t, stack.Options{DoublePuppet: true, Config: map[string]any{
		"database.type": "postgres",
		"database.uri":  pgtest.Fresh(t, "wxbridge_e2e_"),
	}})
}

func testRestart(t *testing.T, opts stack.Options) {
	e, alice, aliceGhost := setupWithAlice(t, opts)
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	bobGhost := family.ghosts[seedName("bob")]

	e.s.Sim.InjectText("alice", "", "before the restart")
	e.s.Sim.InjectText("family", "bob", "group before the restart")
	e.waitMessage(e.u, alice.ID, aliceGhost, "before the restart")
	e.waitMessage(e.u, family.ID, bobGhost, "group before the restart")
	aliceBefore := e.bodies(e.u, alice.ID, aliceGhost)
	familyBefore := e.bodies(e.u, family.ID, bobGhost)
	mgmtBefore, err := e.u.Events(e.ctx, e.u.ManagementRoom)
	require.NoError(t, err)
	logins := e.s.Sim.LoginCount()

	require.NoError(t, e.s.Bridge.Stop())
	down := []string{"while down 1", "while down 2", "while down 3"}
	for _, text := range down {
		e.s.Sim.InjectText("alice", "", text)
	}
	require.NoError(t, e.s.Bridge.Start(e.ctx))

	e.waitMessage(e.u, alice.ID, aliceGhost, down[len(down)-1])
	// A message after the restart marks the end of the catch-up: any
	// duplicate would have been bridged before it.
	e.s.Sim.InjectText("alice", "", "after the restart")
	e.s.Sim.InjectText("family", "bob", "group after the restart")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the restart")
	e.waitMessage(e.u, family.ID, bobGhost, "group after the restart")

	want := slices.Concat(aliceBefore, down, []string{"after the restart"})
	assert.Equal(t, want, e.bodies(e.u, alice.ID, aliceGhost), "alice's messages, each once and in order")
	assert.Equal(t, slices.Concat(familyBefore, []string{"group after the restart"}), e.bodies(e.u, family.ID, bobGhost),
		"nothing bridged before the restart came again in the group")

	assert.Equal(t, logins, e.s.Sim.LoginCount(), "the session resumed without a new login")
	mgmtAfter, err := e.u.Events(e.ctx, e.u.ManagementRoom)
	require.NoError(t, err)
	for _, evt := range mgmtAfter[len(mgmtBefore):] {
		assert.False(t, isQRImage(e.s.Bridge.Bot)(evt), "no QR code after the restart: %s", stack.Describe(evt))
		if msg := stack.Message(evt); msg != nil && evt.Sender == e.s.Bridge.Bot && msg.MsgType == event.MsgNotice {
			t.Logf("bot notice after the restart: %q", msg.Body)
		}
	}
}
