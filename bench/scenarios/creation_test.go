package scenarios

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func TestCreationSeed(t *testing.T) {
	cfg := CreationConfig{Friends: 30, Groups: 8, GroupSize: 5, Recent: 7}
	seed, acct := creationSeed(42, cfg)
	require.Equal(t, 7, acct.recent)
	assert.Equal(t, 4, acct.recentGroups(), "groups and DMs alternate, starting with a group")
	assert.Len(t, acct.chats, 8+3, "every group and the recent DMs")
	var recent []string
	for _, c := range seed.Contacts {
		if c.Recent {
			recent = append(recent, c.ID)
		}
	}
	// webwxinit lists recent contacts in seed order: most recent first.
	assert.Equal(t, []string{"g0000", "c00000", "g0001", "c00001", "g0002", "c00002", "g0003"}, recent)
	for i, c := range acct.chats {
		assert.Equal(t, i, acct.byName[c.name], c.id)
		assert.Equal(t, wechattest.SelfID, c.members[0].id, "%s: self's ghost is a member", c.id)
		if i < acct.recent {
			assert.Equal(t, i, c.rank, c.id)
		} else {
			assert.Equal(t, -1, c.rank, c.id)
		}
		if c.group {
			assert.Len(t, c.members, cfg.GroupSize, c.id)
		} else {
			assert.Len(t, c.members, 2, c.id)
		}
	}
	friends := 0
	for _, c := range seed.Contacts {
		if c.Friend && !c.Group && c.ID != "filehelper" {
			friends++
		}
	}
	assert.Equal(t, cfg.Friends, friends)
}

func TestCreationProgress(t *testing.T) {
	_, acct := creationSeed(42, CreationConfig{Friends: 10, Groups: 2, GroupSize: 3, Recent: 2})
	// chats: g0000 (self, c00000, c00001), c00000 (DM), g0001.
	require.Len(t, acct.chats, 3)
	self := acct.self.name
	names := map[id.RoomID]string{"!g0": "Group 0000 of 42", "!dm": "", "!g1": "Group 0001 of 42"}
	roomName := func(r id.RoomID) (string, bool) { n, ok := names[r]; return n, ok }
	snap := map[id.RoomID]roomState{
		"!g0": {joins: at(100, 200, 300), names: []string{self, "Friend c00000", "Friend c00001"}},
		"!dm": {joins: at(150, 250), names: []string{"Friend c00000", self}},
		"!g1": {joins: at(400), names: []string{self}},
	}
	invites := map[id.RoomID]Invite{
		"!g0":   {At: t0.Add(350 * time.Millisecond)},
		"!dm":   {At: t0.Add(50 * time.Millisecond)},
		"!old":  {At: t0.Add(-time.Hour), Name: "Group 0001 of 42"},
		"!g1":   {At: t0.Add(450 * time.Millisecond)},
		"!none": {At: t0, Name: "unrelated"},
	}
	prog := acct.progress(snap, invites, t0, roomName)
	require.Len(t, prog, 3)
	assert.Equal(t, chatProgress{room: "!g0", done: t0.Add(350 * time.Millisecond)}, prog[0], "done when invited, after the last join")
	assert.Equal(t, chatProgress{room: "!dm", done: t0.Add(250 * time.Millisecond)}, prog[1], "the DM by its ghost's name")
	assert.Equal(t, chatProgress{room: "!g1"}, prog[2], "two of three members: not done; the earlier phase's room is left out")
}

func TestClassifyRequest(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		wantKind                   string
		wantRoom                   id.RoomID
		wantUser                   id.UserID
		wantMembership             string
	}{
		{"ghost join", http.MethodPut, "/_matrix/client/v3/rooms/%21abc:localhost/state/m.room.member/@wechat_x:localhost?user_id=%40wechat_x%3Alocalhost", `{"membership":"join","displayname":"X"}`,
			"PUT state m.room.member (join)", "!abc:localhost", "@wechat_x:localhost", "join"},
		{"invite", http.MethodPut, "/_matrix/client/v3/rooms/!abc:localhost/state/m.room.member/@u:localhost", `{"membership":"invite"}`,
			"PUT state m.room.member (invite)", "!abc:localhost", "@u:localhost", "invite"},
		{"other state", http.MethodPut, "/_matrix/client/v3/rooms/!abc:localhost/state/m.space.child/!def:localhost", `{}`,
			"PUT state m.space.child", "!abc:localhost", "", ""},
		{"message", http.MethodPut, "/_matrix/client/v3/rooms/!abc:localhost/send/m.room.message/txn1", `{}`,
			"PUT send m.room.message", "!abc:localhost", "", ""},
		{"join by ID", http.MethodPost, "/_matrix/client/v3/join/!abc:localhost?user_id=@g:localhost", `{}`,
			"POST join", "!abc:localhost", "@g:localhost", "join"},
		{"members", http.MethodGet, "/_matrix/client/v3/rooms/!abc:localhost/members", "",
			"GET rooms/members", "!abc:localhost", "", ""},
		{"create", http.MethodPost, "/_matrix/client/v3/createRoom", `{}`, "POST createRoom", "", "", ""},
		{"profile", http.MethodPut, "/_matrix/client/v3/profile/@wechat_x:localhost/displayname", `{}`,
			"PUT profile displayname", "", "@wechat_x:localhost", ""},
		{"upload", http.MethodPost, "/_matrix/media/v3/upload", "", "POST media upload", "", "", ""},
		{"authenticated download", http.MethodGet, "/_matrix/client/v1/media/download/localhost/abc", "", "GET media download", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			kind, room, user, membership := classifyRequest(r, []byte(tt.body))
			assert.Equal(t, tt.wantKind, kind)
			assert.Equal(t, tt.wantRoom, room)
			assert.Equal(t, tt.wantUser, user)
			assert.Equal(t, tt.wantMembership, membership)
		})
	}
}

func TestFrontLogJoins(t *testing.T) {
	l := newFrontLog(func(u id.UserID) bool { return strings.HasPrefix(u.Localpart(), "wechat_") })
	put := func(target, body string, end time.Time) {
		r := httptest.NewRequest(http.MethodPut, target, strings.NewReader(body))
		l.observe(r, []byte(body), end.Add(-10*time.Millisecond), end)
	}
	put("/_matrix/client/v3/profile/@wechat_a:localhost/displayname?user_id=@wechat_a:localhost", `{"displayname":"Alice"}`, t0)
	put("/_matrix/client/v3/rooms/!r:localhost/state/m.room.member/@wechat_a:localhost?user_id=@wechat_bot:localhost", `{"membership":"invite"}`, t0.Add(time.Second))
	put("/_matrix/client/v3/rooms/!r:localhost/state/m.room.member/@wechat_a:localhost?user_id=@wechat_a:localhost", `{"membership":"join"}`, t0.Add(2*time.Second))
	put("/_matrix/client/v3/rooms/!r:localhost/state/m.room.member/@wechat_a:localhost?user_id=@wechat_a:localhost", `{"membership":"join"}`, t0.Add(3*time.Second))
	put("/_matrix/client/v3/rooms/!r:localhost/state/m.room.member/@human:localhost?user_id=@human:localhost", `{"membership":"join"}`, t0.Add(4*time.Second))
	snap := l.snapshot()
	require.Len(t, snap, 1)
	assert.Equal(t, roomState{joins: []time.Time{t0.Add(2 * time.Second)}, names: []string{"Alice"}}, snap["!r:localhost"],
		"one join per ghost, named by its profile; the invite and the human's join do not count")
	rows := l.rows()
	require.NotEmpty(t, rows)
	assert.Equal(t, kindRow{Kind: "PUT state m.room.member (join)", N: 3, Busy: 30 * time.Millisecond}, rows[0])
}

func TestPlotPNG(t *testing.T) {
	p := Plot{File: "x.png", Title: "portals", XLabel: "minutes", YLabel: "n", Series: []Series{
		{Name: "a", X: []float64{0, 1, 2}, Y: []float64{0, 5, 7}, Steps: true},
		{Name: "b", X: []float64{0, 2}, Y: []float64{0, 10}},
	}}
	data, err := p.PNG()
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, plotW, img.Bounds().Dx())
	assert.Equal(t, plotH, img.Bounds().Dy())
	count := map[[3]uint32]int{}
	for y := range plotH {
		for x := range plotW {
			r, g, b, _ := img.At(x, y).RGBA()
			count[[3]uint32{r >> 8, g >> 8, b >> 8}]++
		}
	}
	for i := range p.Series {
		c := plotColors[i]
		assert.Greater(t, count[[3]uint32{uint32(c.R), uint32(c.G), uint32(c.B)}], 100, "series %d is drawn", i)
	}
	_, err = Plot{File: "empty.png"}.PNG()
	assert.Error(t, err)
}

func TestNiceTicks(t *testing.T) {
	assert.Equal(t, []float64{0, 2, 4, 6, 8, 10}, niceTicks(0, 10, 6))
	assert.Equal(t, []float64{0, 50, 100, 150}, niceTicks(0, 137, 4))
	ticks := niceTicks(3.2, 3.9, 6)
	assert.LessOrEqual(t, ticks[0], 3.2)
	assert.GreaterOrEqual(t, ticks[len(ticks)-1], 3.9)
}

func TestCDF(t *testing.T) {
	s := cdf("x", []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond})
	assert.Equal(t, []float64{10, 20, 30, 40}, s.X)
	assert.Equal(t, []float64{25, 50, 75, 100}, s.Y)
}
