package scenarios

import (
	"context"
	"fmt"
	"time"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// StartupConfig sizes the start-up requests scenario: one account of
// Friends friends and Groups groups of GroupSize members (self included),
// FriendMembers of whose other members are friends of the account and the
// rest people it does not know.
type StartupConfig struct {
	Friends, Groups, GroupSize, FriendMembers int
	// Window is how long the requests are recorded after the phone's
	// confirmation and after the bridge process starts again.
	Window time.Duration
}

// DefaultStartup is the account of issue 17's request table: 2,000 friends
// and 100 groups of 200 members, recorded for the first minute after the
// login and after a restart. In a group that big most members are not the
// account's friends: 20 of the 199 others are, and the other 179 are
// strangers found in that group only (17,900 in all), the most work a
// client that fetches every member at start-up can be given.
var DefaultStartup = StartupConfig{Friends: 2000, Groups: 100, GroupSize: 200, FriendMembers: 20, Window: time.Minute}

// recentChats is how many friends and how many groups the start-up seed
// puts in webwxinit's recent chats (the real one lists about ten).
const recentChats = 5

// startupSeed is the account of the start-up scenario: friends f…, groups
// g… saved to contacts with FriendMembers friends and strangers s…_… of
// their own, the file helper, and a few recent chats.
func startupSeed(uin int64, cfg StartupConfig) *wechattest.Seed {
	seed := &wechattest.Seed{
		Uin:  uin,
		Self: wechattest.SeedContact{ID: wechattest.SelfID, NickName: fmt.Sprintf("Startup %d", uin), Sex: 1},
	}
	fh := filehelper()
	fh.Recent = true
	seed.Contacts = append(seed.Contacts, fh)
	for i := range cfg.Friends {
		f := friend(fmt.Sprintf("f%05d", i), i)
		f.Recent = i < recentChats
		seed.Contacts = append(seed.Contacts, f)
	}
	others := max(cfg.GroupSize-1, 0)
	friends := min(cfg.FriendMembers, others, cfg.Friends)
	for g := range cfg.Groups {
		members := make([]string, 0, cfg.GroupSize)
		members = append(members, wechattest.SelfID)
		for j := range friends {
			members = append(members, fmt.Sprintf("f%05d", (g*friends+j)%cfg.Friends))
		}
		for j := range others - friends {
			id := fmt.Sprintf("s%04d_%03d", g, j)
			seed.Contacts = append(seed.Contacts, wechattest.SeedContact{
				ID: id, NickName: fmt.Sprintf("Member %d of group %d", j, g), Sex: 1 + j%2,
			})
			members = append(members, id)
		}
		seed.Contacts = append(seed.Contacts, wechattest.SeedContact{
			ID: fmt.Sprintf("g%04d", g), NickName: fmt.Sprintf("Group %04d", g), Group: true,
			SavedToContacts: true, Recent: g < recentChats, Members: members,
		})
	}
	return seed
}

// startupCounts are the requests one account received in each phase.
type startupCounts struct {
	login, restart reqCount
}

// RunStartup counts the requests the bridge makes to WeChat in the first
// Window after a login and after a restart, per endpoint, with the longest
// burst in one second: what the real server sees of a new session and of
// a resumed one. The baseline is the simulator's default account (a
// handful of contacts, two groups) on the same bridge, logged in first and
// resumed by the same restart.
func RunStartup(ctx context.Context, opts Options, cfg StartupConfig) (_ *Result, err error) {
	res := begin("startup requests", fmt.Sprintf("one login with %d friends and %d groups of %d members (saved to contacts; %d of each group's other members are friends, the rest strangers of that group only), requests recorded for %v after the confirmation and for %v after the bridge process starts again; baseline: the simulator's default account (%d contacts and groups) on the same bridge",
		cfg.Friends, cfg.Groups, cfg.GroupSize, min(cfg.FriendMembers, max(cfg.GroupSize-1, 0), cfg.Friends), cfg.Window, cfg.Window, len(wechattest.DefaultSeed().Contacts)))
	small := wechattest.DefaultSeed()
	small.Uin = 1_400_000_001
	big := startupSeed(1_400_000_002, cfg)
	opts.progress("startup requests: starting the stack (%d contacts in the big account)", len(big.Contacts))
	env, err := startEnv(ctx, opts, []wechattest.Config{{Seed: small}, {Seed: big}}, []string{"small", "big"}, nil)
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	smallSim, bigSim := env.Stack.Sims.Servers[0], env.Stack.Sims.Servers[1]
	var smallN, bigN startupCounts

	opts.progress("startup requests: logging in the small account, recording %v", cfg.Window)
	lt, err := env.Login(ctx, env.Stack.UserID("small"), smallSim)
	if err != nil {
		return nil, fmt.Errorf("small account: %w", err)
	}
	if err = sleepUntil(ctx, lt.Confirmed.Add(cfg.Window)); err != nil {
		return nil, err
	}
	smallN.login = countRequests(smallSim, lt.Confirmed, lt.Confirmed.Add(cfg.Window))

	opts.progress("startup requests: logging in the big account, recording %v", cfg.Window)
	qrStart := time.Now()
	lt, err = env.Login(ctx, env.Stack.UserID("big"), bigSim)
	if err != nil {
		return nil, fmt.Errorf("big account: %w", err)
	}
	if err = sleepUntil(ctx, lt.Confirmed.Add(cfg.Window)); err != nil {
		return nil, err
	}
	bigN.login = countRequests(bigSim, lt.Confirmed, lt.Confirmed.Add(cfg.Window))
	qrFlow := countRequests(bigSim, qrStart, lt.Confirmed)

	opts.progress("startup requests: restarting the bridge, recording %v", cfg.Window)
	br := env.Stack.Bridge
	if err = br.Stop(); err != nil {
		return nil, err
	}
	began := time.Now()
	if err = br.Start(ctx); err != nil {
		return nil, err
	}
	ready := time.Since(began)
	if err = sleepUntil(ctx, began.Add(cfg.Window)); err != nil {
		return nil, err
	}
	bigN.restart = countRequests(bigSim, began, began.Add(cfg.Window))
	smallN.restart = countRequests(smallSim, began, began.Add(cfg.Window))

	for _, ph := range []struct {
		name      string
		big, base reqCount
	}{{"login", bigN.login, smallN.login}, {"restart", bigN.restart, smallN.restart}} {
		what := "the confirmation"
		if ph.name == "restart" {
			what = "the bridge process starts again"
		}
		res.add(Figure{
			Metric:   fmt.Sprintf("requests in the first %v after %s", cfg.Window, what),
			Bridge:   fmt.Sprintf("%d, at most %d in 1 s", ph.big.Total.Count, ph.big.Total.Burst),
			Baseline: fmt.Sprintf("%d, at most %d in 1 s (small account)", ph.base.Total.Count, ph.base.Total.Burst),
			Compare:  ratio(ph.big.Total.Count, ph.base.Total.Count),
			Target:   "counted for issue 17",
			Verdict:  Info,
		})
		members, baseMembers := ph.big.row(labelBatchMembers), ph.base.row(labelBatchMembers)
		res.add(Figure{
			Metric:   fmt.Sprintf("member fetches (webwxbatchgetcontact) after %s: calls, most in 1 s", what),
			Bridge:   fmt.Sprintf("%s for %s, at most %d in 1 s", plural(members.Count, "call"), plural(members.Items, "member"), members.Burst),
			Baseline: fmt.Sprintf("%s for %s, at most %d in 1 s (small account)", plural(baseMembers.Count, "call"), plural(baseMembers.Items, "member"), baseMembers.Burst),
			Compare:  ratio(members.Count, baseMembers.Count),
			Target:   "≤ 1 call in 1 s (issue 17: paced)",
			Verdict:  verdict(members.Burst <= 1),
		})
		res.raw(ph.name+"_requests", float64(ph.big.Total.Count))
		res.raw(ph.name+"_burst", float64(ph.big.Total.Burst))
		res.raw(ph.name+"_member_calls", float64(members.Count))
		res.raw(ph.name+"_member_burst", float64(members.Burst))
		res.raw("baseline_"+ph.name+"_requests", float64(ph.base.Total.Count))
	}
	res.table(bigN.login.table(fmt.Sprintf("requests in the first %v after the confirmation (login)", cfg.Window)))
	res.table(bigN.restart.table(fmt.Sprintf("requests in the first %v after the bridge process starts again (restart)", cfg.Window)))
	res.note("a row per endpoint; webwxbatchgetcontact is split by what its List asks for (groups: \"@@\" UserNames; members: items naming a group in EncryChatRoomId; contacts: the rest), webwxgeticon by whether it names a group (chatroomid); longest burst = the most of these requests that arrived within any 1 s; first – last = when the first and the last arrived, in seconds after the start of the window; a long poll (synccheck) counts when it arrives")
	res.note("before the confirmation (the QR flow, from the provisioning API's login start): " + qrFlow.summary())
	res.note(fmt.Sprintf("the restart: the process was spawned at 0 and answered /_matrix/mau/ready after %s; both logins resume at once", secs(ready)))
	res.note("small account after its login: " + smallN.login.summary())
	res.note("small account after the restart: " + smallN.restart.summary())
	return res.end(), nil
}

// ratio is "n × baseline", or what stands in for it when the baseline is 0.
func ratio(n, base int) string {
	if base == 0 {
		if n == 0 {
			return "same"
		}
		return "baseline none"
	}
	return fmt.Sprintf("%.1f × baseline", float64(n)/float64(base))
}

// sleepUntil waits until t, or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(t)):
		return nil
	}
}
