package scenarios

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

var t0 = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

func at(ms ...int) []time.Time {
	out := make([]time.Time, len(ms))
	for i, m := range ms {
		out[i] = t0.Add(time.Duration(m) * time.Millisecond)
	}
	return out
}

func TestLongestBurst(t *testing.T) {
	tests := []struct {
		name  string
		times []time.Time
		want  int
	}{
		{"none", nil, 0},
		{"one", at(500), 1},
		{"one a second", at(0, 1000, 2000, 3000), 1},
		{"just inside a second", at(0, 999), 2},
		{"a storm in the middle", at(0, 5000, 5100, 5200, 5900, 6100, 9000), 4},
		{"the window slides", at(0, 900, 1800, 1850, 1950, 2700), 4},
		{"all at once", at(10, 10, 10, 10, 10), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, longestBurst(tt.times, time.Second))
		})
	}
}

func TestRequestLabel(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  string
		body      string
		query     url.Values
		wantLabel string
		wantItems int
	}{
		{"plain endpoint", "webwxinit", `{"BaseRequest":{}}`, nil, "webwxinit", 0},
		{"groups", "webwxbatchgetcontact", `{"Count":2,"List":[{"UserName":"@@a","EncryChatRoomId":""},{"UserName":"@@b","EncryChatRoomId":""}]}`, nil, "webwxbatchgetcontact (groups)", 2},
		{"members", "webwxbatchgetcontact", `{"Count":2,"List":[{"UserName":"@a","EncryChatRoomId":"@@g"},{"UserName":"@b","EncryChatRoomId":"@@g"}]}`, nil, labelBatchMembers, 2},
		{"contacts", "webwxbatchgetcontact", `{"Count":1,"List":[{"UserName":"@a","EncryChatRoomId":""}]}`, nil, "webwxbatchgetcontact (contacts)", 1},
		{"mixed", "webwxbatchgetcontact", `{"Count":3,"List":[{"UserName":"@@g"},{"UserName":"@a","EncryChatRoomId":"@@g"},{"UserName":"@b"}]}`, nil, "webwxbatchgetcontact (groups+members+contacts)", 3},
		{"empty list", "webwxbatchgetcontact", `{"Count":0,"List":[]}`, nil, "webwxbatchgetcontact (empty)", 0},
		{"unreadable", "webwxbatchgetcontact", `{"List":`, nil, "webwxbatchgetcontact (unreadable body)", 0},
		{"icon of a friend", "webwxgeticon", "", url.Values{"username": {"@a"}, "skey": {"x"}}, "webwxgeticon", 0},
		{"icon of a group member", "webwxgeticon", "", url.Values{"username": {"@a"}, "chatroomid": {"@@g"}}, labelIconWithGroup, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label, items := requestLabel(tt.endpoint, wechattest.Request{Body: []byte(tt.body), Query: tt.query})
			assert.Equal(t, tt.wantLabel, label)
			assert.Equal(t, tt.wantItems, items)
		})
	}
}

func TestTally(t *testing.T) {
	var reqs []stamped
	add := func(label string, items int, ms ...int) {
		for _, a := range at(ms...) {
			reqs = append(reqs, stamped{label: label, items: items, at: a})
		}
	}
	add("webwxinit", 0, 100)
	add(labelBatchMembers, 50, 300, 350, 400, 450, 2000)
	add("synccheck", 0, 900, 30_900)
	got := tally(reqs, t0, time.Minute)

	require.Len(t, got.Rows, 3)
	assert.Equal(t, reqRow{Label: labelBatchMembers, Count: 5, Burst: 4, Items: 250, First: 300 * time.Millisecond, Last: 2 * time.Second}, got.Rows[0], "most requests first")
	assert.Equal(t, reqRow{Label: "synccheck", Count: 2, Burst: 1, First: 900 * time.Millisecond, Last: 30900 * time.Millisecond}, got.Rows[1])
	assert.Equal(t, reqRow{Label: "webwxinit", Count: 1, Burst: 1, First: 100 * time.Millisecond, Last: 100 * time.Millisecond}, got.Rows[2])
	assert.Equal(t, reqRow{Label: "all requests", Count: 8, Burst: 6, Items: 250, First: 100 * time.Millisecond, Last: 30900 * time.Millisecond}, got.Total,
		"the total's burst is over every endpoint together (100–900 ms: 6 requests)")
	assert.Equal(t, labelBatchMembers, got.row(labelBatchMembers).Label)
	assert.Zero(t, got.row("webwxsendmsg").Count, "an endpoint without requests counts 0")

	tab := got.table("after login")
	require.Len(t, tab.Rows, 4, "a row per label and the total")
	assert.Equal(t, []string{labelBatchMembers, "5", "4", "250", "0.3 – 2.0"}, tab.Rows[0])
	assert.Equal(t, []string{"all requests", "8", "6", "250", "0.1 – 30.9"}, tab.Rows[3])
	assert.Equal(t, "8 requests, at most 6 in 1 s: webwxbatchgetcontact (members) 5, synccheck 2, webwxinit 1", got.summary())

	empty := tally(nil, t0, time.Minute)
	assert.Empty(t, empty.Rows)
	assert.Equal(t, []string{"all requests", "0", "0", "-", "-"}, empty.table("x").Rows[0])
}

// TestCountRequestsWindow counts a real simulator's records: only requests
// that arrived within the span count.
func TestCountRequestsWindow(t *testing.T) {
	sim := wechattest.NewTest(t, wechattest.Config{})
	hc := sim.URL() + "/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN"
	get := func() {
		resp, err := http.Get(hc)
		require.NoError(t, err)
		resp.Body.Close()
	}
	get()
	from := time.Now()
	get()
	get()
	to := time.Now()
	get()
	got := countRequests(sim, from, to)
	require.Len(t, got.Rows, 1)
	assert.Equal(t, "jslogin", got.Rows[0].Label)
	assert.Equal(t, 2, got.Total.Count, "the two requests inside the span, not the ones before and after")
	assert.Equal(t, 4, countRequests(sim, from.Add(-time.Hour), to.Add(time.Hour)).Total.Count)
}
