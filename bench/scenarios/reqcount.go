package scenarios

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// burstWidth is the window in which the longest burst of requests is
// counted.
const burstWidth = time.Second

// reqRow is what one kind of request (an endpoint, or a kind of call to
// it) added up to within a span of time.
type reqRow struct {
	Label string
	Count int
	// Burst is the most of these requests that arrived within any
	// burstWidth.
	Burst int
	// Items is how many contacts the calls asked for (the List of
	// webwxbatchgetcontact), 0 for other endpoints.
	Items int
	// First and Last are when the first and the last arrived, after the
	// start of the span.
	First, Last time.Duration
}

// reqCount is every request a simulated account received within a span of
// time: a row per kind, most requests first, and the total, whose Burst is
// over every kind together.
type reqCount struct {
	Span  time.Duration
	Rows  []reqRow
	Total reqRow
}

// stamped is a request reduced to what is counted.
type stamped struct {
	label string
	items int
	at    time.Time
}

// countRequests counts the requests sim received in [from, to).
func countRequests(sim *wechattest.Server, from, to time.Time) reqCount {
	var reqs []stamped
	for _, endpoint := range sim.Endpoints() {
		for _, r := range sim.Requests(endpoint) {
			if r.Time.Before(from) || !r.Time.Before(to) {
				continue
			}
			label, items := requestLabel(endpoint, r)
			reqs = append(reqs, stamped{label: label, items: items, at: r.Time})
		}
	}
	return tally(reqs, from, to.Sub(from))
}

// tally adds requests up per label; from is the start of the span.
func tally(reqs []stamped, from time.Time, span time.Duration) reqCount {
	byLabel := map[string][]stamped{}
	var all []time.Time
	for _, r := range reqs {
		byLabel[r.label] = append(byLabel[r.label], r)
		all = append(all, r.at)
	}
	out := reqCount{Span: span}
	for label, rs := range byLabel {
		times := make([]time.Time, len(rs))
		row := reqRow{Label: label, Count: len(rs)}
		for i, r := range rs {
			times[i] = r.at
			row.Items += r.items
		}
		slices.SortFunc(times, time.Time.Compare)
		row.Burst = longestBurst(times, burstWidth)
		row.First, row.Last = times[0].Sub(from), times[len(times)-1].Sub(from)
		out.Rows = append(out.Rows, row)
		out.Total.Items += row.Items
	}
	slices.SortFunc(out.Rows, func(a, b reqRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label))
	})
	out.Total.Label = "all requests"
	out.Total.Count = len(all)
	if len(all) > 0 {
		slices.SortFunc(all, time.Time.Compare)
		out.Total.Burst = longestBurst(all, burstWidth)
		out.Total.First, out.Total.Last = all[0].Sub(from), all[len(all)-1].Sub(from)
	}
	return out
}

// longestBurst is the most of the sorted times that fall within any
// half-open window [t, t+width).
func longestBurst(sorted []time.Time, width time.Duration) int {
	best, i := 0, 0
	for j, t := range sorted {
		for t.Sub(sorted[i]) >= width {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}

// row returns the row of a label, or a zero row.
func (c reqCount) row(label string) reqRow {
	for _, r := range c.Rows {
		if r.Label == label {
			return r
		}
	}
	return reqRow{Label: label}
}

// Labels of the kinds of call that are told apart within an endpoint.
const (
	labelBatchMembers  = "webwxbatchgetcontact (members)"
	labelIconWithGroup = "webwxgeticon (chatroomid)"
)

// requestLabel names the kind of a request: its endpoint, and for
// webwxbatchgetcontact what its List asks for (groups: "@@" UserNames;
// members: items that name a group in EncryChatRoomId; contacts: the rest)
// and how many items, for webwxgeticon whether it names a group
// (chatroomid, the way to a member who is not a friend).
func requestLabel(endpoint string, r wechattest.Request) (string, int) {
	switch endpoint {
	case "webwxbatchgetcontact":
		var body struct {
			List []struct {
				UserName        string
				EncryChatRoomId string
			}
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return endpoint + " (unreadable body)", 0
		}
		var groups, members, contacts int
		for _, it := range body.List {
			switch {
			case strings.HasPrefix(it.UserName, "@@"):
				groups++
			case it.EncryChatRoomId != "":
				members++
			default:
				contacts++
			}
		}
		var kinds []string
		for _, k := range []struct {
			n    int
			name string
		}{{groups, "groups"}, {members, "members"}, {contacts, "contacts"}} {
			if k.n > 0 {
				kinds = append(kinds, k.name)
			}
		}
		if len(kinds) == 0 {
			kinds = []string{"empty"}
		}
		return fmt.Sprintf("%s (%s)", endpoint, strings.Join(kinds, "+")), len(body.List)
	case "webwxgeticon":
		if r.Query.Get("chatroomid") != "" {
			return labelIconWithGroup, 0
		}
	}
	return endpoint, 0
}

// table is the count as a report table.
func (c reqCount) table(title string) Table {
	t := Table{
		Title:  title,
		Header: []string{"endpoint", "requests", "longest burst (in 1 s)", "contacts asked for", "first – last (s)"},
	}
	line := func(r reqRow) []string {
		items := "-"
		if r.Items > 0 {
			items = strconv.Itoa(r.Items)
		}
		span := "-"
		if r.Count > 0 {
			span = fmt.Sprintf("%.1f – %.1f", r.First.Seconds(), r.Last.Seconds())
		}
		return []string{r.Label, strconv.Itoa(r.Count), strconv.Itoa(r.Burst), items, span}
	}
	for _, r := range c.Rows {
		t.Rows = append(t.Rows, line(r))
	}
	t.Rows = append(t.Rows, line(c.Total))
	return t
}

// summary is the count on one line: "total (at most B in 1 s): label n, …".
func (c reqCount) summary() string {
	parts := make([]string, 0, len(c.Rows))
	for _, r := range c.Rows {
		parts = append(parts, fmt.Sprintf("%s %d", r.Label, r.Count))
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	return fmt.Sprintf("%s, at most %d in 1 s: %s", plural(c.Total.Count, "request"), c.Total.Burst, strings.Join(parts, ", "))
}

// plural is "1 call", "2 calls".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
