package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// CreationConfig sizes the portal-creation scenario: one login with Friends
// friends and Groups saved groups of GroupSize members (self included),
// Recent of whose chats are webwxinit's recent chats.
type CreationConfig struct {
	Friends, Groups, GroupSize int
	// Recent is how many chats webwxinit lists as recent, most recent
	// first: groups and DMs alternating, starting with a group.
	Recent int
	// Window is how long each phase (the baseline, then the bridge) may
	// create portals; a phase ends earlier when every portal exists.
	Window time.Duration
	// Messages are single messages sent, one every MessageInterval, into
	// recent chats (whose portals exist by then) while the other portals are
	// being created; ColdMessages more, spread among them, go to groups
	// that have no portal yet.
	Messages, ColdMessages int
	MessageInterval        time.Duration
	// Scales are the group counts of further bridge-only runs, each on a
	// fresh stack with friends and members in the same proportion, whose
	// peak RSS shows how memory grows with the account.
	Scales []int
}

// DefaultCreation is issue 19's account: 5,000 friends and 500 saved groups
// of 100 members, the 20 most recent chats in a known order. Each phase is
// watched for 30 minutes (all 500 groups take Dendrite far longer); 300
// messages into chats with a portal put three above the 99th percentile.
// Memory is also read with 25 and 100 groups (friends in proportion), which
// Dendrite builds in about 5 and 20 minutes: the whole scenario takes about
// an hour and a half.
var DefaultCreation = CreationConfig{
	Friends: 5000, Groups: 500, GroupSize: 100, Recent: 20, Window: 30 * time.Minute,
	Messages: 300, ColdMessages: 5, MessageInterval: time.Second, Scales: []int{25, 100},
}

// creationChat is one chat that gets a portal: a saved group, or a recent
// DM.
type creationChat struct {
	id, name string
	group    bool
	// members are the ghosts its room must have joined: self's first, then
	// the other members.
	members []creationMember
	// rank is its place among the recent chats (0 is the most recent), -1
	// when it is not recent.
	rank int
}

type creationMember struct{ id, name string }

// creationAccount is the chats of the scenario's account, recent ones first
// in their order, then the other groups.
type creationAccount struct {
	// self is the account's own ghost, a member of every portal: bridgev2
	// joins it to show what the user sent from the phone.
	self   creationMember
	chats  []creationChat
	byName map[string]int
	recent int
	groups int
}

// creationSeed is the account: friends c…, groups g… saved to contacts
// with self and GroupSize-1 friends each, the file helper; the recent
// chats come first in the seed, most recent first, which is the order of
// webwxinit's ContactList.
func creationSeed(uin int64, cfg CreationConfig) (*wechattest.Seed, *creationAccount) {
	seed := &wechattest.Seed{
		Uin:  uin,
		Self: wechattest.SeedContact{ID: wechattest.SelfID, NickName: fmt.Sprintf("Creator %d", uin), Sex: 1},
	}
	recentGroups := min((cfg.Recent+1)/2, cfg.Groups)
	recentDMs := min(cfg.Recent-recentGroups, cfg.Friends)
	friendID := func(i int) string { return fmt.Sprintf("c%05d", i) }
	groupID := func(g int) string { return fmt.Sprintf("g%04d", g) }
	friendName := func(i int) string { return "Friend " + friendID(i) }
	self := creationMember{wechattest.SelfID, seed.Self.NickName}
	acct := &creationAccount{self: self, byName: make(map[string]int), groups: cfg.Groups}
	group := func(g int) (wechattest.SeedContact, creationChat) {
		members := []string{wechattest.SelfID}
		chat := creationChat{id: groupID(g), name: fmt.Sprintf("Group %04d of %d", g, uin), group: true, rank: -1, members: []creationMember{self}}
		for j := 0; j < cfg.GroupSize-1 && j < cfg.Friends; j++ {
			f := (g*(cfg.GroupSize-1) + j) % cfg.Friends
			members = append(members, friendID(f))
			chat.members = append(chat.members, creationMember{friendID(f), friendName(f)})
		}
		return wechattest.SeedContact{ID: chat.id, NickName: chat.name, Group: true, SavedToContacts: true, Members: members}, chat
	}
	add := func(sc wechattest.SeedContact, c creationChat) {
		seed.Contacts = append(seed.Contacts, sc)
		acct.byName[c.name] = len(acct.chats)
		acct.chats = append(acct.chats, c)
	}
	// The recent chats, most recent first: a group, a DM, a group …
	gi, di := 0, 0
	for rank := 0; gi < recentGroups || di < recentDMs; rank++ {
		if (rank%2 == 0 && gi < recentGroups) || di >= recentDMs {
			sc, c := group(gi)
			sc.Recent, c.rank = true, rank
			add(sc, c)
			gi++
			continue
		}
		sc := friend(friendID(di), di)
		sc.Recent = true
		add(sc, creationChat{id: sc.ID, name: sc.NickName, rank: rank, members: []creationMember{self, {sc.ID, sc.NickName}}})
		di++
	}
	acct.recent = len(acct.chats)
	seed.Contacts = append(seed.Contacts, filehelper())
	for i := recentDMs; i < cfg.Friends; i++ {
		seed.Contacts = append(seed.Contacts, friend(friendID(i), i))
	}
	for g := recentGroups; g < cfg.Groups; g++ {
		add(group(g))
	}
	return seed, acct
}

// recentGroups is how many of the recent chats are groups.
func (a *creationAccount) recentGroups() int {
	n := 0
	for _, c := range a.chats[:a.recent] {
		if c.group {
			n++
		}
	}
	return n
}

// chatProgress is where one chat's portal is in a phase.
type chatProgress struct {
	room id.RoomID
	// done is when the portal was there for the user: invited, and every
	// member's join answered (zero while not).
	done time.Time
}

// progress maps the rooms the front saw members join (this phase's) to the
// account's chats, by the room name in the user's invitation or, for a
// room without one (a DM), by its one ghost's displayname.
func (a *creationAccount) progress(snap map[id.RoomID]roomState, invites map[id.RoomID]Invite, since time.Time, roomName func(id.RoomID) (string, bool)) map[int]chatProgress {
	out := make(map[int]chatProgress)
	for room, inv := range invites {
		if _, joined := snap[room]; !joined && !inv.At.Before(since) {
			snap[room] = roomState{}
		}
	}
	for room, st := range snap {
		inv, invited := invites[room]
		name, known := inv.Name, inv.Name != ""
		if !known {
			name, known = roomName(room)
		}
		if known && name == "" {
			// A room without a name is a DM: its one ghost besides self's.
			for _, n := range st.names {
				if n != a.self.name {
					name = n
				}
			}
		}
		ci, ok := a.byName[name]
		if !ok {
			continue
		}
		p := chatProgress{room: room}
		if need := len(a.chats[ci].members); invited && len(st.joins) >= need {
			p.done = st.joins[max(need-1, 0)]
			if inv.At.After(p.done) {
				p.done = inv.At
			}
		}
		if old, dup := out[ci]; dup && !old.done.IsZero() && (p.done.IsZero() || old.done.Before(p.done)) {
			continue
		}
		out[ci] = p
	}
	return out
}

// roomName is a room's name as the bridge bot reads it from Dendrite
// (directly, not through the front), looked up once per room: "" for a
// room without one; false while it cannot be read.
func (c *creation) roomName(room id.RoomID) (string, bool) {
	if name, ok := c.names[room]; ok {
		return name, true
	}
	bot, err := c.reader.client(c.env.Stack.Bridge.Bot)
	if err != nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var content struct {
		Name string `json:"name"`
	}
	err = bot.StateEvent(ctx, room, event.StateRoomName, "", &content)
	switch {
	case err == nil:
	case errors.Is(err, mautrix.MNotFound):
		content.Name = ""
	default:
		return "", false
	}
	c.names[room] = content.Name
	return content.Name, true
}

// sample is one single message of a phase.
type sample struct {
	chat   int
	body   string
	sent   time.Time
	cold   bool
	arrive time.Time
}

// phase is what one run of portal creation (the baseline's or the
// bridge's) measured.
type phase struct {
	name  string
	start time.Time
	end   time.Time
	// all says whether every portal existed before the window ended.
	all bool
	// usable is when the recent chats all had their portals (zero if
	// never); verified is what the user's own member lists said.
	usable   time.Time
	verified string
	prog     map[int]chatProgress
	msgs     []sample
	cpu      CPUUse
	rows     []kindRow
	curve    Series
	rss      Series
	// profiles are the top functions of the bridge's and Dendrite's CPU
	// profiles over the phase's first 30 s (with -profile).
	profiles []Table
	peak     int64
	lost     int
	errs     []string
}

// took is how long the phase created portals.
func (p *phase) took() time.Duration { return p.end.Sub(p.start) }

// order lists the chats by the time their portals were done.
func (p *phase) order() []int {
	var out []int
	for ci, pr := range p.prog {
		if !pr.done.IsZero() && !pr.done.After(p.end) {
			out = append(out, ci)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return p.prog[a].done.Compare(p.prog[b].done) })
	return out
}

// rate is portals done per minute.
func (p *phase) rate() float64 {
	if p.took() <= 0 {
		return 0
	}
	return float64(len(p.order())) / p.took().Minutes()
}

// latencies are the single messages' times to /sync, warm (chats with a
// portal) or cold.
func (p *phase) latencies(cold bool) []time.Duration {
	var out []time.Duration
	for _, s := range p.msgs {
		if s.cold == cold && !s.arrive.IsZero() {
			out = append(out, s.arrive.Sub(s.sent))
		}
	}
	return out
}

// creation is the shared state of the scenario.
type creation struct {
	opts  Options
	cfg   CreationConfig
	env   *Env
	sim   *wechattest.Server
	w     *Watcher
	acct  *creationAccount
	front *frontLog
	// reader reads room names straight from Dendrite; names caches them.
	reader *ASClient
	names  map[id.RoomID]string
}

// RunCreation measures what a user with a big account feels while the
// bridge builds its portals: how soon the recent chats are there, how fast
// and in which order portals come, what single messages cost meanwhile and
// the bridge's memory. The baseline is a plain appservice client creating
// the same portals on the same Dendrite (baselineCreator), run first.
func RunCreation(ctx context.Context, opts Options, cfg CreationConfig) (*Result, error) {
	seed, acct := creationSeed(1_500_000_001, cfg)
	res := begin("portal creation", fmt.Sprintf("one login with %d friends and %d saved groups of %d members, %d recent chats (%d groups and %d DMs, alternating, most recent first); %d portals in all; each phase watched for at most %v; %d single messages into recent chats and %d into groups without a portal yet, one every %v, while portals are created; baseline: a plain appservice client creating the same portals with the same members on the same Dendrite, first",
		cfg.Friends, cfg.Groups, cfg.GroupSize, acct.recent, acct.recentGroups(), acct.recent-acct.recentGroups(), len(acct.chats), cfg.Window, cfg.Messages, cfg.ColdMessages, cfg.MessageInterval))
	br, rooms, err := creationMain(ctx, opts, cfg, seed, acct, res)
	if err != nil {
		return nil, err
	}
	// The other sizes run once the stack above is gone: its bridge would
	// still be creating portals.
	if len(cfg.Scales) > 0 {
		scales, err := creationScales(ctx, opts, cfg)
		if err != nil {
			res.note("memory at other sizes: " + err.Error())
		}
		every := fmt.Sprintf("no (window %v)", cfg.Window)
		if br.all {
			every = "yes"
		}
		scales.Rows = append(scales.Rows, []string{strconv.Itoa(cfg.Friends), fmt.Sprintf("%d of %d", cfg.Groups, cfg.GroupSize),
			fmt.Sprintf("%d (%d portals done)", rooms, len(br.order())), secs(br.took()), mb(br.peak), every + " (the run above)"})
		res.table(scales)
	}
	return res.end(), nil
}

// creationMain runs the baseline and the bridge on one stack and reports
// them into res; it returns the bridge's phase and the rooms the bridge
// logged as created.
func creationMain(ctx context.Context, opts Options, cfg CreationConfig, seed *wechattest.Seed, acct *creationAccount, res *Result) (_ *phase, rooms int, err error) {
	opts.progress("portal creation: starting the stack (%d contacts)", len(seed.Contacts))
	// The front times every request to Dendrite, the bridge's and the
	// baseline's alike.
	opts.Front = true
	env, err := startEnv(ctx, opts, []wechattest.Config{{Seed: seed}}, []string{"creator"}, nil)
	if err != nil {
		return nil, 0, err
	}
	defer env.closeWith(&err)
	c := &creation{opts: opts, cfg: cfg, env: env, sim: env.Stack.Sim, acct: acct,
		reader: newASClient(env.Stack.HS.URL, env.ASToken), names: make(map[id.RoomID]string)}
	c.w, err = StartWatcher(ctx, opts.Log, env.Stack.HS.URL, "creator", env.Stack.Password("creator"), env.Stack.Bridge.IsBridgeUser)
	if err != nil {
		return nil, 0, err
	}
	defer c.w.Close()
	idle, err := env.BridgeMem()
	if err != nil {
		return nil, 0, err
	}

	opts.progress("portal creation: baseline, %d portals, window %v", len(acct.chats), cfg.Window)
	base, err := c.run(ctx, "baseline")
	if err != nil {
		return nil, 0, fmt.Errorf("baseline: %w", err)
	}
	settled := env.settleNote(ctx)
	opts.progress("portal creation: the bridge, window %v", cfg.Window)
	br, err := c.run(ctx, "bridge")
	if err != nil {
		return nil, 0, fmt.Errorf("bridge: %w", err)
	}
	c.report(res, base, br, idle)
	res.note("before the bridge's phase: " + settled)
	if v := c.sim.Violations(); len(v) > 0 {
		res.note(fmt.Sprintf("the simulator noticed %d protocol violations, first: %s", len(v), v[0]))
	}
	return br, countLog(env.Stack.Bridge.LogPath, "Matrix room created"), nil
}

// run is one phase: the baseline's client or the bridge (a login) creates
// the portals while the tool watches, and sends single messages once the
// recent chats are usable.
func (c *creation) run(ctx context.Context, name string) (*phase, error) {
	ph := &phase{name: name, curve: Series{Name: name, Steps: true}, rss: Series{Name: name}}
	c.front = newFrontLog(c.env.Stack.Bridge.IsGhost)
	sends := c.env.Sends
	c.env.Stack.Front.Observe(func(r *http.Request, body []byte, start, end time.Time) {
		c.front.observe(r, body, start, end)
		if sends != nil {
			sends.observe(r, body, start, end)
		}
	})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var waitProfile func() error
	if c.opts.ProfileDir != "" {
		waitProfile = c.env.cpuProfile(ctx, min(30*time.Second, c.cfg.Window), c.opts.ProfileDir, "creation-"+name)
	}
	cpu := c.env.startCPU()
	var creator *baselineCreator
	var rooms map[int]id.RoomID // the baseline's rooms, for its messages
	var roomsMu sync.Mutex
	createErr := make(chan error, 1)
	if name == "baseline" {
		creator = &baselineCreator{
			as: c.env.AS, bot: c.env.Stack.Bridge.Bot, user: c.env.Stack.UserID("creator"), prefix: "wechat_bl_",
			server: c.env.Stack.Bridge.Bot.Homeserver(), registered: make(map[string]bool), avatars: make(map[string]id.ContentURIString),
		}
		rooms = make(map[int]id.RoomID)
		ph.start = time.Now()
		go func() {
			for i := range c.acct.chats {
				room, err := creator.create(runCtx, &c.acct.chats[i])
				if err != nil {
					createErr <- fmt.Errorf("%s: %w", c.acct.chats[i].id, err)
					return
				}
				roomsMu.Lock()
				rooms[i] = room
				roomsMu.Unlock()
			}
			createErr <- nil
		}()
	} else {
		lt, err := c.env.Login(ctx, c.env.Stack.UserID("creator"), c.sim)
		if err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		ph.start = lt.Confirmed
	}
	deadline := ph.start.Add(c.cfg.Window)
	var msgDone chan []sample
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	pid := c.env.Stack.Bridge.PID()
	lastNote := time.Now()
	for {
		now := time.Now()
		ph.prog = c.acct.progress(c.front.snapshot(), c.w.Invites(), ph.start, c.roomName)
		done, recentDone := 0, 0
		for ci, p := range ph.prog {
			if !p.done.IsZero() {
				done++
				if c.acct.chats[ci].rank >= 0 {
					recentDone++
				}
			}
		}
		if now.Sub(lastNote) >= 10*time.Second {
			lastNote = now
			c.opts.progress("portal creation: %s: %d of %d portals done, %d rooms seen, after %s", name, done, len(c.acct.chats), len(ph.prog), secs(now.Sub(ph.start)))
		}
		if n := len(ph.curve.Y); n == 0 || ph.curve.Y[n-1] != float64(done) {
			ph.curve.X = append(ph.curve.X, now.Sub(ph.start).Minutes())
			ph.curve.Y = append(ph.curve.Y, float64(done))
		}
		if name == "bridge" {
			if m, err := ReadMem(pid); err == nil {
				ph.peak = max(ph.peak, m.RSS)
				ph.rss.X = append(ph.rss.X, now.Sub(ph.start).Minutes())
				ph.rss.Y = append(ph.rss.Y, float64(m.RSS)/1e6)
			}
		}
		if ph.usable.IsZero() && recentDone == c.acct.recent {
			for ci, p := range ph.prog {
				if c.acct.chats[ci].rank >= 0 && p.done.After(ph.usable) {
					ph.usable = p.done
				}
			}
			ph.verified = c.verify(ctx, ph)
			msgDone = make(chan []sample, 1)
			go func() {
				msgDone <- c.messages(runCtx, ph, func(ci int) id.RoomID {
					roomsMu.Lock()
					defer roomsMu.Unlock()
					return rooms[ci]
				})
			}()
		}
		if done == len(c.acct.chats) {
			ph.all = true
			ph.end = c.lastDone(ph)
			break
		}
		if now.After(deadline) {
			ph.end = deadline
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-createErr:
			if err != nil {
				return nil, err
			}
			createErr = nil // the baseline is through; its last joins are still being read
		case <-tick.C:
		}
	}
	if msgDone != nil {
		ph.msgs = <-msgDone
	}
	cancel()
	ph.cpu = cpu.stop()
	ph.rows = c.front.rows()
	if name == "bridge" {
		if m, err := ReadMem(pid); err == nil {
			ph.peak = max(ph.peak, m.HWM)
		}
	}
	if waitProfile != nil {
		if perr := waitProfile(); perr != nil {
			c.env.Log.Warn().Err(perr).Msg("CPU profile failed")
		}
		ph.profiles = c.profileTops(ctx, name)
	}
	return ph, nil
}

// profileTops reads the phase's CPU profiles (cpuProfile's files) into
// tables of their top functions; a profile that is missing (Dendrite
// without pprof) or unreadable is left out with a warning.
func (c *creation) profileTops(ctx context.Context, name string) []Table {
	var out []Table
	for _, p := range []struct{ who, file string }{
		{"the bridge", "creation-" + name + ".pprof"},
		{"Dendrite", "dendrite-creation-" + name + ".pprof"},
	} {
		title := fmt.Sprintf("Where %s's CPU went in the %s phase's first 30 s: top functions by own time", p.who, name)
		t, err := profileTop(ctx, filepath.Join(c.opts.ProfileDir, p.file), title, 12)
		if err != nil {
			c.env.Log.Warn().Err(err).Str("profile", p.file).Msg("Could not read the CPU profile")
			continue
		}
		out = append(out, t)
	}
	return out
}

// lastDone is when the last portal of a phase was done.
func (c *creation) lastDone(ph *phase) time.Time {
	var last time.Time
	for _, p := range ph.prog {
		if p.done.After(last) {
			last = p.done
		}
	}
	return last
}

// verify reads the member list of every recent chat's room as the user
// sees it (GET /joined_members, once the user joined), waiting up to a
// minute for it to hold every member, and says what it found.
func (c *creation) verify(ctx context.Context, ph *phase) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	bad := 0
	for ci, p := range ph.prog {
		chat := &c.acct.chats[ci]
		if chat.rank < 0 {
			continue
		}
		ok := false
		for !ok && ctx.Err() == nil {
			if c.w.Joined(p.room) {
				if resp, err := c.w.Client.JoinedMembers(ctx, p.room); err == nil {
					ghosts := 0
					for u := range resp.Joined {
						if c.env.Stack.Bridge.IsGhost(u) {
							ghosts++
						}
					}
					_, self := resp.Joined[c.w.Client.UserID]
					ok = self && ghosts >= len(chat.members)
				}
			}
			if !ok {
				sleep(ctx, 250*time.Millisecond)
			}
		}
		if !ok {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Sprintf("the user's /joined_members did not list every member in %d of the %d recent rooms within a minute", bad, c.acct.recent)
	}
	return fmt.Sprintf("the user's /joined_members listed every member in all %d recent rooms (read %s after they were usable)", c.acct.recent, secs(time.Since(ph.usable)))
}

// messages sends the phase's single messages, one every MessageInterval:
// into the recent chats in turn, and (the bridge only) ColdMessages of them
// spread among the others into groups that have no portal yet. It returns
// them with their arrivals in the user's /sync.
func (c *creation) messages(ctx context.Context, ph *phase, baselineRoom func(int) id.RoomID) []sample {
	cold := c.cfg.ColdMessages
	if ph.name != "bridge" {
		cold = 0
	}
	total := c.cfg.Messages + cold
	every := total + 1
	if cold > 0 {
		every = max(total/cold, 1)
	}
	var out []sample
	coldUsed := map[int]bool{}
	next := time.Now()
	warm := 0
	for i := range total {
		sleep(ctx, time.Until(next))
		if ctx.Err() != nil {
			break
		}
		next = next.Add(c.cfg.MessageInterval)
		s := sample{body: fmt.Sprintf("creation %s %04d %s", ph.name, i, randomHex(3))}
		if cold > 0 && i%every == every/2 && len(coldUsed) < cold {
			s.chat = c.coldChat(ph, coldUsed)
			s.cold = s.chat >= 0
		}
		if !s.cold {
			s.chat = warm % c.acct.recent
			warm++
		}
		chat := &c.acct.chats[s.chat]
		from := chat.members[1+i%(len(chat.members)-1)].id // not self's
		sender := from
		if !chat.group {
			sender = ""
		}
		s.sent = time.Now()
		if ph.name == "bridge" {
			c.sim.InjectText(chat.id, sender, s.body)
		} else {
			room := baselineRoom(s.chat)
			ghost := id.NewUserID("wechat_bl_"+strings.ToLower(from), c.env.Stack.Bridge.Bot.Homeserver())
			go func() {
				if err := c.env.AS.Send(ctx, room, ghost, s.body); err != nil && ctx.Err() == nil {
					c.env.Log.Warn().Err(err).Msg("Baseline send failed")
				}
			}()
		}
		out = append(out, s)
		if len(out) == total {
			break
		}
	}
	bodies := make([]string, len(out))
	for i, s := range out {
		bodies[i] = s.body
	}
	arrivals, _ := c.w.WaitAll(context.WithoutCancel(ctx), bodies, 2*time.Minute)
	for i := range out {
		out[i].arrive = arrivals[i].At
	}
	return out
}

// coldChat picks a group that has no portal yet and was not picked before,
// the last such in the account's order; -1 when every group has one.
func (c *creation) coldChat(ph *phase, used map[int]bool) int {
	prog := c.acct.progress(c.front.snapshot(), c.w.Invites(), ph.start, c.roomName)
	for ci := len(c.acct.chats) - 1; ci >= c.acct.recent; ci-- {
		if _, started := prog[ci]; started || used[ci] {
			continue
		}
		used[ci] = true
		return ci
	}
	return -1
}
