package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/appservice"

	"github.com/wxbridge/wxbridge/e2e/stack"
)

// TestSetup covers installing the bridge as a person would: the example
// config, the registration, a bridge that starts against Dendrite, and a
// bot that answers in a new management room.
func TestSetup(t *testing.T) {
	e := setup(t, stack.Options{})

	t.Run("example config", func(t *testing.T) {
		out, err := exec.Command(e.s.BinPath(stack.BinBridge), "-e", "-c", "-").Output()
		require.NoError(t, err)
		committed, err := os.ReadFile("../config.example.yaml")
		require.NoError(t, err)
		// config.example.yaml is -e's output with SQLite as the database
		// (TestRootExamples checks those two lines): every other line is
		// the same.
		assert.Empty(t, lineDiff(withoutDatabase(string(committed)), withoutDatabase(string(out))),
			"config.example.yaml differs from `wxbridge -e -c -` beyond the database")
		assert.Contains(t, string(committed), "\n    type: sqlite3-fk-wal\n", "config.example.yaml keeps the database in SQLite")
	})

	t.Run("registration", func(t *testing.T) {
		reg, err := appservice.LoadRegistration(e.s.Bridge.RegistrationPath)
		require.NoError(t, err)
		cfg, err := stack.LoadYAML(e.s.Bridge.ConfigPath)
		require.NoError(t, err)
		assert.Equal(t, "wechat", reg.ID)
		assert.Equal(t, e.s.Bridge.URL, reg.URL)
		assert.Equal(t, cfg.String("appservice.as_token"), reg.AppToken, "-g saved the as_token into the config")
		assert.Equal(t, cfg.String("appservice.hs_token"), reg.ServerToken, "-g saved the hs_token into the config")
		assert.NotEmpty(t, reg.SenderLocalpart)
		require.NotEmpty(t, reg.Namespaces.UserIDs)
		matches := func(mxid string) bool {
			for _, ns := range reg.Namespaces.UserIDs {
				if ok, _ := regexp.MatchString(ns.Regex, mxid); ok && ns.Exclusive {
					return true
				}
			}
			return false
		}
		for mxid, want := range map[string]bool{
			"@wechatbot:localhost":         true,
			"@wechat_Ab3-x_9:localhost":    true,
			"@tester:localhost":            false,
			"@wechatbot:example.com":       false,
			"@wechat_ab:localhost.example": false,
		} {
			assert.Equal(t, want, matches(mxid), "registration namespace match of %s", mxid)
		}
		assert.Equal(t, "@wechatbot:localhost", e.s.Bridge.Bot.String())
	})

	t.Run("ready", func(t *testing.T) {
		resp, err := http.Get(e.s.Bridge.URL + "/_matrix/mau/ready")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})

	t.Run("appservice transaction", func(t *testing.T) {
		// What tests of redactions, receipts and typing build on: Dendrite
		// never pushes those, so the tests PUT transactions themselves.
		require.NoError(t, e.s.Bridge.PushTransaction(e.ctx, "e2e-empty", stack.Transaction{}))
	})

	t.Run("management room", func(t *testing.T) {
		e := e.sub(t)
		room := e.managementRoom(e.u)
		evt, err := e.u.WaitEvent(e.ctx, room, "the bot's welcome message", stack.Text(e.s.Bridge.Bot, "management room"))
		require.NoError(t, err)
		assert.Contains(t, stack.Message(evt).Body, "login")
		cmd := e.command(e.u, room, "help")
		e.botReply(e.u, room, cmd, "login")
	})
}

// lineDiff describes the first line where got differs from want, or is ""
// when they are equal.
// withoutDatabase drops the database type and URI lines of an example
// config, the only ones in which ours differs from mxmain's.
func withoutDatabase(cfg string) string {
	var kept []string
	for _, l := range strings.Split(cfg, "\n") {
		if !strings.HasPrefix(l, "    type: ") && !strings.HasPrefix(l, "    uri: ") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d: want %q, got %q (%d vs %d lines)", i+1, wl, gl, len(w), len(g))
		}
	}
	return "they differ"
}
