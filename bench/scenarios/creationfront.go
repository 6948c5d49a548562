package scenarios

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"maunium.net/go/mautrix/id"
)

// frontLog records, through the timing front between the bridge and
// Dendrite, what one phase of the creation scenario asked of Dendrite: every
// request by kind with the time Dendrite took to answer it, and per room when
// each member's join was answered. The baseline's client goes through the
// same front, so both phases are read the same way.
type frontLog struct {
	isGhost func(id.UserID) bool

	mu    sync.Mutex
	kinds map[string]*kindStat
	rooms map[id.RoomID]*roomJoins
	// profiles are the displaynames ghosts set (PUT /profile/…/displayname),
	// for joins that do not carry one.
	profiles map[id.UserID]string
}

// kindStat is the requests of one kind: how many, and how long Dendrite
// took to answer them, summed.
type kindStat struct {
	n    int
	busy time.Duration
}

// roomJoins are the members who joined a room: when each join was
// answered, and the displayname the join carried.
type roomJoins struct {
	at    map[id.UserID]time.Time
	names map[id.UserID]string
}

func newFrontLog(isGhost func(id.UserID) bool) *frontLog {
	return &frontLog{isGhost: isGhost, kinds: make(map[string]*kindStat), rooms: make(map[id.RoomID]*roomJoins), profiles: make(map[id.UserID]string)}
}

// observe is the front's observer while this phase runs.
func (l *frontLog) observe(r *http.Request, body []byte, start, end time.Time) {
	kind, room, target, membership := classifyRequest(r, body)
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.kinds[kind]
	if k == nil {
		k = &kindStat{}
		l.kinds[kind] = k
	}
	k.n++
	k.busy += end.Sub(start)
	if kind == "PUT profile displayname" && l.isGhost(target) {
		var content struct {
			Displayname string `json:"displayname"`
		}
		if json.Unmarshal(body, &content) == nil {
			l.profiles[target] = content.Displayname
		}
		return
	}
	if room == "" || membership != "join" || !l.isGhost(target) {
		return
	}
	actor := id.UserID(r.URL.Query().Get("user_id"))
	if actor != "" && actor != target {
		return
	}
	rj := l.rooms[room]
	if rj == nil {
		rj = &roomJoins{at: make(map[id.UserID]time.Time), names: make(map[id.UserID]string)}
		l.rooms[room] = rj
	}
	if _, dup := rj.at[target]; !dup {
		rj.at[target] = end
		var content struct {
			Displayname string `json:"displayname"`
		}
		if json.Unmarshal(body, &content) == nil {
			rj.names[target] = content.Displayname
		}
	}
}

// roomState is what the front saw of one room: the ghosts' join times in
// order and the displayname of each.
type roomState struct {
	joins []time.Time
	names []string
}

// snapshot copies every room's joins.
func (l *frontLog) snapshot() map[id.RoomID]roomState {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[id.RoomID]roomState, len(l.rooms))
	for room, rj := range l.rooms {
		var st roomState
		for u, at := range rj.at {
			name := rj.names[u]
			if name == "" {
				name = l.profiles[u]
			}
			st.joins = append(st.joins, at)
			st.names = append(st.names, name)
		}
		slices.SortFunc(st.joins, time.Time.Compare)
		out[room] = st
	}
	return out
}

// kindRow is one kind of request in a phase.
type kindRow struct {
	Kind string
	N    int
	Busy time.Duration
}

// rows lists the kinds, most requests first.
func (l *frontLog) rows() []kindRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]kindRow, 0, len(l.kinds))
	for k, s := range l.kinds {
		out = append(out, kindRow{Kind: k, N: s.n, Busy: s.busy})
	}
	slices.SortFunc(out, func(a, b kindRow) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Kind, b.Kind)) })
	return out
}

// classifyRequest names the kind of a client-server or media request
// ("PUT state m.room.member (join)", "POST createRoom") and returns the
// room it is about, the user a membership event is for and its membership.
func classifyRequest(r *http.Request, body []byte) (kind string, room id.RoomID, target id.UserID, membership string) {
	var segs []string
	for _, s := range strings.Split(r.URL.EscapedPath(), "/") {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		if s != "" {
			segs = append(segs, s)
		}
	}
	// /_matrix/client/v3/… or /_matrix/media/v3/…: drop the prefix.
	if len(segs) >= 3 && segs[0] == "_matrix" {
		switch {
		case segs[1] == "media" && len(segs) >= 4:
			return r.Method + " media " + segs[3], "", "", ""
		case len(segs) >= 5 && segs[3] == "media":
			return r.Method + " media " + segs[4], "", "", ""
		}
		segs = segs[3:]
	}
	if len(segs) == 0 {
		return r.Method + " " + r.URL.Path, "", "", ""
	}
	switch segs[0] {
	case "rooms":
		if len(segs) < 3 {
			break
		}
		room = id.RoomID(segs[1])
		switch action := segs[2]; {
		case action == "state" && len(segs) >= 4 && segs[3] == "m.room.member" && len(segs) >= 5:
			var content struct {
				Membership string `json:"membership"`
			}
			_ = json.Unmarshal(body, &content)
			return fmt.Sprintf("%s state m.room.member (%s)", r.Method, content.Membership), room, id.UserID(segs[4]), content.Membership
		case (action == "state" || action == "send") && len(segs) >= 4:
			return r.Method + " " + action + " " + segs[3], room, "", ""
		case action == "join":
			return r.Method + " rooms/join", room, id.UserID(r.URL.Query().Get("user_id")), "join"
		default:
			return r.Method + " rooms/" + action, room, "", ""
		}
	case "join":
		if len(segs) >= 2 {
			return r.Method + " join", id.RoomID(segs[1]), id.UserID(r.URL.Query().Get("user_id")), "join"
		}
	case "profile":
		if len(segs) >= 3 {
			return r.Method + " profile " + segs[2], "", id.UserID(segs[1]), ""
		}
		return r.Method + " profile", "", "", ""
	case "user":
		// /user/{userId}/account_data/{type}, /user/{userId}/filter …
		if len(segs) >= 3 {
			return r.Method + " user/" + segs[2], "", "", ""
		}
	}
	return r.Method + " " + segs[0], "", "", ""
}

// requestTable compares the requests per portal of the bridge and of the
// baseline, by kind, with the time Dendrite took to answer them.
func requestTable(bridge, base []kindRow, bridgeRooms, baseRooms int) Table {
	t := Table{
		Title:  "requests to Dendrite per portal, by kind (through the front): wxbridge against the baseline",
		Header: []string{"request", "wxbridge per portal", "Dendrite's time per portal", "baseline per portal", "Dendrite's time per portal (baseline)"},
	}
	per := func(n, rooms int) string {
		if rooms == 0 {
			return fmt.Sprintf("%d in all", n)
		}
		return strconv.FormatFloat(float64(n)/float64(rooms), 'f', 2, 64)
	}
	perMS := func(d time.Duration, rooms int) string {
		if rooms == 0 || d == 0 {
			return "-"
		}
		return ms(d / time.Duration(rooms))
	}
	byKind := map[string][2]kindRow{}
	var kinds []string
	for i, rows := range [][]kindRow{bridge, base} {
		for _, r := range rows {
			pair, ok := byKind[r.Kind]
			if !ok {
				kinds = append(kinds, r.Kind)
			}
			pair[i] = r
			byKind[r.Kind] = pair
		}
	}
	var total [2]kindRow
	for _, k := range kinds {
		p := byKind[k]
		t.Rows = append(t.Rows, []string{k, per(p[0].N, bridgeRooms), perMS(p[0].Busy, bridgeRooms), per(p[1].N, baseRooms), perMS(p[1].Busy, baseRooms)})
		for i := range total {
			total[i].N += p[i].N
			total[i].Busy += p[i].Busy
		}
	}
	t.Rows = append(t.Rows, []string{"all requests", per(total[0].N, bridgeRooms), perMS(total[0].Busy, bridgeRooms), per(total[1].N, baseRooms), perMS(total[1].Busy, baseRooms)})
	return t
}
