package e2e_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// hostileText is a name and a message that would be markup if the bridge
// pasted it into HTML, or formatting if it parsed Markdown.
const hostileText = `<script>alert(1)</script> **bold** <a href="https://evil.example">x</a>`

// serverForm is how Web WeChat sends a name the user typed: '&', '<' and
// '>' escaped, since names carry emoji spans as markup (see Bob in the
// default seed), the way message text does.
func serverForm(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// hostileSeed is the default account plus mallory, whose nickname is
// hostileText, and a group of the same name with mallory and alice.
func hostileSeed() *wechattest.Seed {
	seed := wechattest.DefaultSeed()
	seed.Contacts = append(seed.Contacts,
		wechattest.SeedContact{ID: "mallory", NickName: serverForm(hostileText), Sex: 1, Province: "Nowhere", City: "Void",
			Friend: true, Recent: true},
		wechattest.SeedContact{ID: "hostile", NickName: serverForm(hostileText), Group: true, SavedToContacts: true, Recent: true,
			Members: []string{wechattest.SelfID, "mallory", "alice"}},
	)
	return seed
}

// TestHostileInput: names and text that look like HTML or Markdown arrive
// as the literal text everywhere (ghost name, room name, body), no
// formatted_body carries them as markup, a file name that climbs
// directories and hides its extension arrives sanitised, and media above
// network.max_media_size becomes a notice one way and a failed status the
// other.
func TestHostileInput(t *testing.T) {
	const limit = 64 << 10
	e := setup(t, stack.Options{
		Sims: []wechattest.Config{{Seed: hostileSeed()}},
		Config: map[string]any{
			"network.max_media_size":       "64KiB",
			"matrix.message_status_events": true,
		},
	})
	sim := e.s.Sim
	e.login(e.u, sim, defaultSelf)

	group := e.waitPortal(e.u, hostileText, hostileText, seedName("alice"))
	mallory := group.ghosts[hostileText]
	aliceGhost := group.ghosts[seedName("alice")]
	dmInfo, err := e.u.WaitRoom(e.ctx, "the direct chat with mallory", func(ri *stack.RoomInfo) bool {
		return !ri.IsSpace && ri.ID != group.ID && ri.Name == hostileText && ri.Has(mallory)
	})
	require.NoError(t, err)
	dm := dmInfo.ID

	t.Run("names are literal", func(t *testing.T) {
		name, err := e.u.ProfileName(e.ctx, mallory)
		require.NoError(t, err)
		assert.Equal(t, hostileText, name, "the ghost's display name")
		for _, room := range []id.RoomID{group.ID, dm} {
			var content event.RoomNameEventContent
			found, err := e.u.StateEvent(e.ctx, room, event.StateRoomName, "", &content)
			require.NoError(t, err)
			require.True(t, found, "%s has a name", room)
			assert.Equal(t, hostileText, content.Name, "the room name of %s", room)
		}
	})

	texts := []struct {
		name       string
		room       id.RoomID
		chat, from string
		text       string
		sender     id.UserID
		wantHTML   bool // a mention makes a formatted body
	}{
		{"direct message", dm, "mallory", "", hostileText, mallory, false},
		{"group message", group.ID, "hostile", "mallory", hostileText + "\n" + hostileText, mallory, false},
		{"group message mentioning the user", group.ID, "hostile", "mallory", "@" + defaultSelf + "\u2005" + hostileText, mallory, true},
		{"mention of the hostile name", group.ID, "hostile", "alice", "@" + hostileText + "\u2005 look", aliceGhost, false},
	}
	for _, tt := range texts {
		t.Run(tt.name, func(t *testing.T) {
			e := e.sub(t)
			sim.InjectText(tt.chat, tt.from, tt.text)
			evt := e.waitMessage(e.u, tt.room, tt.sender, tt.text)
			msg := stack.Message(evt)
			assert.Equal(t, event.MsgText, msg.MsgType)
			if tt.wantHTML {
				require.NotEmpty(t, msg.FormattedBody, "the mention makes HTML")
				assert.Contains(t, msg.FormattedBody, "&lt;script&gt;", "the text is escaped in the HTML")
			}
			assertNoMarkup(t, evt)
		})
	}

	t.Run("link card", func(t *testing.T) {
		sim.InjectLink("mallory", "", hostileText, hostileText, "javascript:alert(1)")
		evt, err := e.u.WaitEvent(e.ctx, dm, "the link card", func(evt *event.Event) bool {
			msg := stack.Message(evt)
			return msg != nil && evt.Sender == mallory && strings.Contains(msg.Body, "alert(1)") && msg.Body != hostileText
		})
		require.NoError(t, err)
		msg := stack.Message(evt)
		t.Logf("link card: %q / %q", msg.Body, msg.FormattedBody)
		assert.Contains(t, msg.Body, hostileText, "title and description are literal")
		assert.NotContains(t, strings.ToLower(msg.FormattedBody), `href="javascript`, "no script link")
		assertNoMarkup(t, evt)
	})

	t.Run("file name", func(t *testing.T) {
		doc := []byte("root:x:0:0:root:/root:/bin/sh\n")
		sim.InjectFile("mallory", "", "../../etc/passwd\u202e.exe", doc)
		evt, err := e.u.WaitEvent(e.ctx, dm, "the file", func(evt *event.Event) bool {
			msg := stack.Message(evt)
			return msg != nil && evt.Sender == mallory && msg.MsgType == event.MsgFile && msg.URL != ""
		})
		require.NoError(t, err)
		msg := stack.Message(evt)
		assert.Equal(t, "passwd.exe", msg.Body)
		assert.Equal(t, "passwd.exe", msg.FileName)
		got, err := e.u.Download(e.ctx, msg.URL)
		require.NoError(t, err)
		assert.Equal(t, doc, got)
	})

	t.Run("file above max_media_size", func(t *testing.T) {
		e := e.sub(t)
		sim.InjectFile("mallory", "", "big.bin", bytes.Repeat([]byte{0xab}, limit+1))
		want := `Sent the file "big.bin", which is larger than the bridge's limit of 64 KiB; see it on your phone.`
		evt := e.waitMessage(e.u, dm, mallory, want)
		assert.Equal(t, event.MsgNotice, stack.Message(evt).MsgType)
		assert.Empty(t, stack.Message(evt).URL)
	})

	t.Run("file to WeChat above max_media_size", func(t *testing.T) {
		e := e.sub(t)
		before := len(sim.Sent())
		data := bytes.Repeat([]byte{0xcd}, limit+10<<10)
		uri, err := e.u.UploadMedia(e.ctx, data, "application/octet-stream", "big.bin")
		require.NoError(t, err)
		evtID, err := e.u.SendContent(e.ctx, dm, &event.MessageEventContent{MsgType: event.MsgFile, Body: "big.bin", URL: uri,
			Info: &event.FileInfo{MimeType: "application/octet-stream", Size: len(data)}})
		require.NoError(t, err)
		st := e.messageStatus(dm, evtID)
		t.Logf("status %s: %q", st.Status, st.Message)
		// The room capabilities declare the limit, so bridgev2 refuses the
		// file before the connector sees it, with its own wording.
		assert.NotEqual(t, event.MessageStatusSuccess, st.Status)
		assert.Contains(t, st.Message, "too large", "the status says why")
		assert.Len(t, sim.Sent(), before, "nothing reached WeChat")
	})

	t.Run("no formatted body carries markup", func(t *testing.T) {
		for _, room := range []id.RoomID{group.ID, dm} {
			events, err := e.u.Events(e.ctx, room)
			require.NoError(t, err)
			for _, evt := range events {
				assertNoMarkup(t, evt)
			}
		}
	})
}

// assertNoMarkup checks that an event's HTML has no script tag and no link
// to evil.example: the hostile text is escaped wherever it appears.
func assertNoMarkup(t *testing.T, evt *event.Event) {
	t.Helper()
	msg := stack.Message(evt)
	if msg == nil || msg.FormattedBody == "" {
		return
	}
	html := strings.ToLower(msg.FormattedBody)
	assert.NotContains(t, html, "<script", "%s", stack.Describe(evt))
	assert.NotContains(t, html, `<a href="https://evil.example"`, "%s", stack.Describe(evt))
	assert.NotContains(t, html, `href="https://evil.example`, "%s", stack.Describe(evt))
}
