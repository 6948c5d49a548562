package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/appservice"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// relayConfig turns relay mode on (with mautrix's default admin_only: a
// bridge admin may make their own login the relay of a portal). Matrix
// users without a login stay in portals without a relay
// (kick_matrix_users off), so that the same users can try before and after
// set-relay.
var relayConfig = map[string]any{
	"bridge.relay.enabled":         true,
	"bridge.kick_matrix_users":     false,
	"matrix.message_status_events": true,
}

// TestPermissions: users below the `user` permission level cannot log in
// (the bot says why, no QR code is posted and WeChat sees no login), and
// what they write in a portal reaches WeChat only through the relay, as
// "<their name>: <text>"; blocked users get nothing through at all.
func TestPermissions(t *testing.T) {
	levels := []struct {
		level       string // the user's bridge.permissions level
		localpart   string
		displayName string
		// inviteRefusal is the reason the bot gives for rejecting an
		// invite to a management room ("" when it joins).
		inviteRefusal string
		// loginStatus is the failed message status `!wx login` gets in a
		// shared room, loginReply the bot's answer ("" when none).
		loginStatus, loginReply string
		// noRelay is the failed message status of a message in a portal
		// without a relay; noRelayNotice whether the bot also says so in
		// the room.
		noRelay       string
		noRelayNotice bool
		// relayed says whether messages go out through a relay once set;
		// relayedStatus is the failed status otherwise.
		relayed       bool
		relayedStatus string
	}{
		{level: "block", localpart: "blocked", displayName: "Blocked Bea",
			inviteRefusal: "permission to interact with", loginStatus: "permission to send messages",
			noRelay: "permission to send messages", relayedStatus: "permission to send messages"},
		{level: "relay", localpart: "relayer", displayName: "Relay Rita",
			inviteRefusal: "permission to send commands to", loginStatus: "permission to use commands",
			noRelay: "not logged in", noRelayNotice: true, relayed: true},
		{level: "commands", localpart: "commander", displayName: "Commands Cole",
			loginReply: "do not have permissions to log into",
			noRelay:    "not logged in", noRelayNotice: true, relayed: true},
	}
	// The tester, who logs in and sets the relay, is a bridge admin.
	opts := stack.Options{Permissions: map[string]string{"@" + tester + ":" + stack.Domain: "admin"}, Config: relayConfig}
	for _, l := range levels {
		opts.Users = append(opts.Users, stack.Account{Localpart: l.localpart})
		opts.Permissions["@"+l.localpart+":"+stack.Domain] = l.level
	}
	e := setup(t, opts)
	bot := e.s.Bridge.Bot
	sim := e.s.Sim
	users := make(map[string]*stack.User)
	for _, l := range levels {
		u, err := e.s.Login(e.ctx, l.localpart)
		require.NoError(t, err)
		require.NoError(t, u.Client.SetDisplayName(e.ctx, l.displayName))
		users[l.level] = u
	}
	e.login(e.u, sim, defaultSelf)
	family := e.waitPortal(e.u, "Family", seedName("bob"))
	jslogins := len(sim.Requests("jslogin"))

	t.Run("no management room below commands", func(t *testing.T) {
		for _, l := range levels {
			t.Run(l.level, func(t *testing.T) {
				u := users[l.level]
				resp, err := u.Client.CreateRoom(e.ctx, &mautrix.ReqCreateRoom{
					Invite: []id.UserID{bot}, IsDirect: true, Preset: "trusted_private_chat",
				})
				require.NoError(t, err)
				if l.inviteRefusal == "" {
					require.NoError(t, u.WaitJoined(e.ctx, resp.RoomID, bot), "the bot accepts the invite of a %s user", l.level)
					u.ManagementRoom = resp.RoomID
					return
				}
				evt, err := u.WaitState(e.ctx, resp.RoomID, event.StateMember, bot.String(), "the bot rejecting the invite",
					func(evt *event.Event) bool { return evt.Content.AsMember().Membership == event.MembershipLeave })
				require.NoError(t, err)
				assert.Contains(t, evt.Content.AsMember().Reason, l.inviteRefusal, "the rejection says why")
			})
		}
	})

	t.Run("login refused", func(t *testing.T) {
		e := e.sub(t)
		shared, err := e.u.CreateRoom(e.ctx, "Shared with the bot", bot, users["block"].ID, users["relay"].ID, users["commands"].ID)
		require.NoError(t, err)
		for _, u := range users {
			require.NoError(t, u.Join(e.ctx, shared))
		}
		require.NoError(t, e.u.WaitJoined(e.ctx, shared, bot, users["block"].ID, users["relay"].ID, users["commands"].ID))
		for _, l := range levels {
			t.Run(l.level, func(t *testing.T) {
				e := e.sub(t)
				u := users[l.level]
				cmd, err := u.SendText(e.ctx, shared, "!wx login")
				require.NoError(t, err)
				if l.loginStatus != "" {
					st := e.statusSeenBy(u, shared, cmd)
					assert.True(t, strings.HasPrefix(string(st.Status), "FAIL"), "status %s", st.Status)
					assert.Contains(t, st.Message, l.loginStatus)
				}
				if l.loginReply != "" {
					e.botReply(u, shared, cmd, l.loginReply)
				}
			})
		}
		t.Run("commands that need the login permission", func(t *testing.T) {
			e := e.sub(t)
			u := users["commands"]
			room := e.managementRoom(u)
			for _, cmd := range []string{"login", "relogin " + strconv.FormatInt(sim.SelfUin(), 10), "list-logins"} {
				evtID := e.command(u, room, cmd)
				e.botReply(u, room, evtID, "do not have permissions to log into")
			}
			// The tester, a `user`, gets an answer to the same command.
			evtID := e.command(e.u, e.managementRoom(e.u), "list-logins")
			e.botReply(e.u, e.u.ManagementRoom, evtID, strconv.FormatInt(sim.SelfUin(), 10))

			events, err := u.Events(e.ctx, room)
			require.NoError(t, err)
			for _, evt := range events {
				assert.False(t, isQRImage(bot)(evt), "a QR code was posted to a %s user: %s", "commands", stack.Describe(evt))
			}
		})
		events, err := e.u.Events(e.ctx, shared)
		require.NoError(t, err)
		for _, evt := range events {
			assert.False(t, isQRImage(bot)(evt), "a QR code was posted in the shared room: %s", stack.Describe(evt))
		}
		assert.Equal(t, jslogins, len(sim.Requests("jslogin")), "the bridge asked WeChat for a login QR code")
		assert.Equal(t, 1, sim.LoginCount(), "only the tester logged in")
	})

	// The tester brings the others into the group portal.
	for _, u := range users {
		_, err := e.u.Client.InviteUser(e.ctx, family.ID, &mautrix.ReqInviteUser{UserID: u.ID})
		require.NoError(t, err)
		require.NoError(t, u.Join(e.ctx, family.ID))
	}
	require.NoError(t, e.u.WaitJoined(e.ctx, family.ID, users["block"].ID, users["relay"].ID, users["commands"].ID))

	type sentEvent struct {
		level string
		text  string
		evtID id.EventID
	}
	var notRelayed []sentEvent
	t.Run("no relay set", func(t *testing.T) {
		e := e.sub(t)
		for _, l := range levels {
			t.Run(l.level, func(t *testing.T) {
				e := e.sub(t)
				u := users[l.level]
				text := "from " + l.displayName + " before set-relay"
				evtID, err := u.SendText(e.ctx, family.ID, text)
				require.NoError(t, err)
				notRelayed = append(notRelayed, sentEvent{l.level, text, evtID})
				st := e.statusSeenBy(u, family.ID, evtID)
				assert.True(t, strings.HasPrefix(string(st.Status), "FAIL"), "status %s", st.Status)
				assert.Contains(t, strings.ToLower(st.Message), l.noRelay)
				if l.noRelayNotice {
					notice, err := u.WaitEventAfter(e.ctx, family.ID, evtID, "the bot's notice about the message", func(evt *event.Event) bool {
						msg := stack.Message(evt)
						return msg != nil && evt.Sender == bot && msg.MsgType == event.MsgNotice && msg.RelatesTo.GetReplyTo() == evtID
					})
					require.NoError(t, err)
					body := stack.Message(notice).Body
					assert.Contains(t, body, "Your message was not bridged")
					assert.Contains(t, strings.ToLower(body), l.noRelay)
				}
			})
		}
	})

	setRelay := e.command(e.u, family.ID, "!wx set-relay")
	e.botReply(e.u, family.ID, setRelay, "relayed through")

	t.Run("relay set", func(t *testing.T) {
		e := e.sub(t)
		for _, l := range levels {
			t.Run(l.level, func(t *testing.T) {
				e := e.sub(t)
				u := users[l.level]
				text := "from " + l.displayName + " after set-relay"
				evtID, err := u.SendText(e.ctx, family.ID, text)
				require.NoError(t, err)
				st := e.statusSeenBy(u, family.ID, evtID)
				if !l.relayed {
					notRelayed = append(notRelayed, sentEvent{l.level, text, evtID})
					assert.True(t, strings.HasPrefix(string(st.Status), "FAIL"), "status %s", st.Status)
					assert.Contains(t, st.Message, l.relayedStatus)
					return
				}
				assert.Equal(t, event.MessageStatusSuccess, st.Status, "status message %q", st.Message)
				want := l.displayName + ": " + text
				sent := e.waitSent(sim, fmt.Sprintf("%q in the group", want), func(m wechattest.SentMessage) bool {
					return m.ToID == "family" && strings.Contains(m.Msg.Content, text)
				})
				assert.Equal(t, want, sent.Msg.Content, "the relayed message names its Matrix sender")
				assert.Equal(t, "webwxsendmsg", sent.Endpoint)
			})
		}
	})

	// Every message above has its final status, so WeChat has seen all it
	// will ever see of them.
	t.Run("nothing else reached WeChat", func(t *testing.T) {
		for _, m := range sim.Sent() {
			for _, nr := range notRelayed {
				assert.NotContains(t, m.Msg.Content, nr.text, "a message of the %s user reached WeChat", nr.level)
			}
		}
		// A blocked user gets a failed status, but the bot does not talk
		// to them.
		events, err := users["block"].Events(e.ctx, family.ID)
		require.NoError(t, err)
		for _, nr := range notRelayed {
			for _, evt := range events {
				msg := stack.Message(evt)
				if nr.level == "block" && msg != nil && evt.Sender == bot {
					assert.NotEqual(t, nr.evtID, msg.RelatesTo.GetReplyTo(), "the bot answered a blocked user: %q", msg.Body)
				}
			}
		}
	})
}

// statusSeenBy waits until u sees the bridge's message status of an event.
func (e *env) statusSeenBy(u *stack.User, room id.RoomID, evtID id.EventID) *event.BeeperMessageStatusEventContent {
	e.t.Helper()
	evt, err := u.WaitEvent(e.ctx, room, "the message status of "+evtID.String(), func(evt *event.Event) bool {
		st, ok := evt.Content.Parsed.(*event.BeeperMessageStatusEventContent)
		return ok && evt.Type == event.BeeperMessageStatus && st.RelatesTo.EventID == evtID
	})
	require.NoError(e.t, err)
	return evt.Content.Parsed.(*event.BeeperMessageStatusEventContent)
}

// logWriters are the stack's stdout writer plus a file in the bridge's
// dir, where the bridge creates the file (and its directory) itself.
var logWriters = []map[string]any{
	{"type": "stdout", "format": "pretty"},
	{"type": "file", "format": "json", "filename": "logs/wxbridge.log"},
}

// TestSecretsNotLogged: with the bridge logging at trace level, neither
// the Web WeChat session (skey, wxsid, pass_ticket, the session cookies,
// login tickets) nor the appservice tokens appear in any of its logs or in
// anything the user sees in Matrix, through a QR login, the initial sync,
// messages and media both ways, an skey rotation and a restart that
// resumes the session.
func TestSecretsNotLogged(t *testing.T) {
	e := setup(t, stack.Options{DoublePuppet: true, Config: map[string]any{
		"logging.min_level":            "trace",
		"logging.writers":              logWriters,
		"matrix.message_status_events": true,
	}})
	sim := e.s.Sim
	secrets := map[string]string{} // value → name
	collect := func() {
		for _, s := range sim.Secrets() {
			secrets[s.Value] = s.Name
		}
	}

	e.login(e.u, sim, defaultSelf)
	collect()
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	aliceGhost := alice.ghosts[seedName("alice")]

	sim.InjectText("alice", "", "secret test from wechat")
	e.waitMessage(e.u, alice.ID, aliceGhost, "secret test from wechat")
	_, err := e.u.SendText(e.ctx, alice.ID, "secret test to wechat")
	require.NoError(t, err)
	e.waitSent(sim, "the text", func(m wechattest.SentMessage) bool { return m.Msg.Content == "secret test to wechat" })

	picture := testPNG(t, 20, 10)
	sim.InjectImage("alice", "", picture)
	img, err := e.u.WaitEvent(e.ctx, alice.ID, "alice's image", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == aliceGhost && msg.MsgType == event.MsgImage && msg.URL != ""
	})
	require.NoError(t, err)
	got, err := e.u.Download(e.ctx, stack.Message(img).URL)
	require.NoError(t, err)
	require.Equal(t, picture, got, "the bridge downloaded the image from WeChat")

	upload, err := e.u.Client.UploadBytesWithName(e.ctx, testPNG(t, 12, 8), "image/png", "outgoing.png")
	require.NoError(t, err)
	_, err = e.u.SendContent(e.ctx, alice.ID, &event.MessageEventContent{
		MsgType: event.MsgImage, Body: "outgoing.png", URL: upload.ContentURI.CUString(),
		Info: &event.FileInfo{MimeType: "image/png"},
	})
	require.NoError(t, err)
	e.waitSent(sim, "the image", func(m wechattest.SentMessage) bool { return m.Endpoint == "webwxsendmsgimg" })

	sim.RotateSKey()
	collect()
	sim.InjectText("alice", "", "after the skey rotation")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the skey rotation")
	collect()

	logins := sim.LoginCount()
	require.NoError(t, e.s.Bridge.Restart(e.ctx))
	sim.InjectText("alice", "", "after the restart")
	e.waitMessage(e.u, alice.ID, aliceGhost, "after the restart")
	_, err = e.u.SendText(e.ctx, alice.ID, "to wechat after the restart")
	require.NoError(t, err)
	e.waitSent(sim, "the text after the restart", func(m wechattest.SentMessage) bool { return m.Msg.Content == "to wechat after the restart" })
	require.Equal(t, logins, sim.LoginCount(), "the restarted bridge resumed the session")
	collect()
	// Stopping flushes the last lines (and logs the shutdown).
	require.NoError(t, e.s.Bridge.Stop())

	t.Run("the secrets are what the bridge used", func(t *testing.T) {
		// So that the search below cannot pass by looking for the wrong
		// values: the bridge's last webwxsync carried these.
		syncs := sim.Requests("webwxsync")
		require.NotEmpty(t, syncs)
		last := syncs[len(syncs)-1]
		for name, value := range map[string]string{
			"skey":                     last.Query.Get("skey"),
			"wxsid":                    last.Query.Get("sid"),
			"pass_ticket":              last.Query.Get("pass_ticket"),
			"cookie webwx_data_ticket": last.Cookies["webwx_data_ticket"],
			"cookie webwx_auth_ticket": last.Cookies["webwx_auth_ticket"],
			"cookie webwxuvid":         last.Cookies["webwxuvid"],
		} {
			require.NotEmpty(t, value, name)
			assert.Equal(t, name, secrets[value], "the %s the bridge used is not among the secrets searched for", name)
		}
		assert.Contains(t, secretNames(secrets), "login ticket")
		assert.Equal(t, 2, count(secretNames(secrets), "skey"), "the skeys before and after the rotation are searched for")
	})
	reg, err := appservice.LoadRegistration(e.s.Bridge.RegistrationPath)
	require.NoError(t, err)
	secrets[reg.AppToken] = "appservice as_token"
	secrets[reg.ServerToken] = "appservice hs_token"
	dp, err := appservice.LoadRegistration(filepath.Join(e.s.Dir, "doublepuppet.yaml"))
	require.NoError(t, err)
	secrets[dp.AppToken] = "double puppet as_token"
	cfg, err := stack.LoadYAML(e.s.Bridge.ConfigPath)
	require.NoError(t, err)
	for _, key := range []string{"provisioning.shared_secret", "encryption.pickle_key"} {
		value := cfg.String(key)
		require.NotContains(t, []string{"", "generate", "disable"}, value, "%s was not generated into the config", key)
		secrets[value] = key
	}

	// The bridge's output, and its log file, which it rotates at each
	// start: the file and one backup.
	files, err := e.s.Bridge.LogFiles()
	require.NoError(t, err)
	require.Len(t, files, 3, "the bridge's output and its log files: %q", files)
	uin := strconv.FormatInt(sim.SelfUin(), 10)
	starts := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		starts += bytes.Count(data, []byte("Initializing bridge"))
		t.Run("log "+filepath.Base(file), func(t *testing.T) {
			// The log is worth searching: it has trace lines and names the
			// login. The uin (the login ID) is logged on purpose: it is
			// the account number, not a credential.
			require.Regexp(t, `TRC|"level":"trace"`, string(data), "no trace-level lines")
			require.Contains(t, string(data), uin)
			assertNoSecrets(t, data, secrets)
		})
	}
	require.Equal(t, 4, starts, "the logs cover both starts, in the output and in the log files")

	t.Run("matrix", func(t *testing.T) {
		for _, room := range []id.RoomID{e.u.ManagementRoom, alice.ID} {
			events, err := e.u.Events(e.ctx, room)
			require.NoError(t, err)
			data, err := json.Marshal(events)
			require.NoError(t, err)
			assertNoSecrets(t, data, secrets)
		}
	})
}

// assertNoSecrets fails for every secret found in data (in any of its
// forms), naming the first lines it is on, with every secret masked, so
// that the log statement can be found.
func assertNoSecrets(t *testing.T, data []byte, secrets map[string]string) {
	t.Helper()
	const maxLines = 3
	var masks []string // form, "<name>", … for strings.NewReplacer
	for value, name := range secrets {
		require.GreaterOrEqual(t, len(value), 8, "%s is too short to search for", name)
		for _, form := range secretForms(value) {
			masks = append(masks, form, "<"+name+">")
		}
	}
	mask := strings.NewReplacer(masks...)
	for value, name := range secrets {
		for _, form := range secretForms(value) {
			if !bytes.Contains(data, []byte(form)) {
				continue
			}
			var lines []string
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 16<<20)
			for n := 1; sc.Scan(); n++ {
				if strings.Contains(sc.Text(), form) {
					line := mask.Replace(sc.Text())
					if len(line) > 600 {
						line = line[:600] + "…"
					}
					lines = append(lines, fmt.Sprintf("line %d: %s", n, line))
				}
			}
			found := len(lines)
			t.Errorf("%s leaked in %d lines (escaped as %q…), first:\n%s", name, found, form[:min(len(form), 4)],
				strings.Join(lines[:min(found, maxLines)], "\n"))
		}
	}
}

// secretForms are the ways a value can appear in a log: as is, escaped
// for a query (pass_ticket has '+', '/' and '='), escaped for a path, and
// inside a JSON string.
func secretForms(value string) []string {
	forms := []string{value}
	quoted, _ := json.Marshal(value)
	for _, f := range []string{url.QueryEscape(value), url.PathEscape(value), string(quoted[1 : len(quoted)-1])} {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// secretNames are the names in a value → name map of secrets.
func secretNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestFileModes: the files the bridge writes that hold secrets (the
// database with the WeChat session, with its -wal and -shm files; the
// config and registration with the appservice tokens; its log file and the
// directory it creates for it) are readable by the bridge's user only,
// after the first start and after a restart.
func TestFileModes(t *testing.T) {
	e := setup(t, stack.Options{Config: map[string]any{"logging.writers": logWriters}})
	db, err := e.s.Bridge.DatabasePath()
	require.NoError(t, err)
	logFile := filepath.Join(e.s.Bridge.Dir(), "logs", "wxbridge.log")
	files := []struct {
		what, path string
	}{
		{"database", db},
		{"database WAL", db + "-wal"},
		{"database shared memory", db + "-shm"},
		{"config", e.s.Bridge.ConfigPath},
		{"registration", e.s.Bridge.RegistrationPath},
		{"log file", logFile},
		{"log directory", filepath.Dir(logFile)},
	}
	check := func(t *testing.T) {
		for _, f := range files {
			t.Run(f.what, func(t *testing.T) {
				st, err := os.Stat(f.path)
				require.NoError(t, err, "the bridge did not create its %s", f.what)
				assert.Zero(t, st.Mode().Perm()&0o077, "%s %s has mode %v: others than the bridge's user can read it", f.what, f.path, st.Mode().Perm())
			})
		}
	}

	e.login(e.u, e.s.Sim, defaultSelf)
	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	e.s.Sim.InjectText("alice", "", "written to the database")
	e.waitMessage(e.u, alice.ID, alice.ghosts[seedName("alice")], "written to the database")
	t.Run("after login", check)

	require.NoError(t, e.s.Bridge.Restart(e.ctx))
	e.s.Sim.InjectText("alice", "", "after the restart")
	e.waitMessage(e.u, alice.ID, alice.ghosts[seedName("alice")], "after the restart")
	t.Run("after restart", check)
}
