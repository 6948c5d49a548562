package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sync"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// SoakConfig sizes the soak scenario: one login with Chats chats (half
// DMs, half groups) and traffic both ways for Duration, with a bridge
// restart and a re-login on the way.
type SoakConfig struct {
	Duration time.Duration
	Chats    int
	// InInterval and OutInterval space the messages injected into WeChat
	// and those the Matrix user sends; every MediaEvery-th of each is an
	// attachment (inbound: image, file, voice in turn; outbound: image,
	// file).
	InInterval, OutInterval time.Duration
	MediaEvery              int
	// Sample is how often RSS, goroutines and open fds are read.
	Sample time.Duration
}

// DefaultSoak is issue 19's hour: a message a second in, one every five
// seconds out, one in ten of each an attachment, sampled every 5 s.
var DefaultSoak = SoakConfig{Duration: time.Hour, Chats: 8, InInterval: time.Second, OutInterval: 5 * time.Second, MediaEvery: 10, Sample: 5 * time.Second}

// Where the restart and the re-login fall, as shares of the run, and the
// window of the slopes: issue 19's last 40 minutes, or the last two thirds
// of a shorter run; after both events, so that the window holds one
// process in one session. A fresh session runs more goroutines than one
// resumed after a restart (the login's own); with the re-login inside the
// window that step read as growth. What each event leaves behind is
// compared by level instead: the first session's before the restart
// against the window's.
const (
	soakRestartAt = 0.2
	soakReloginAt = 0.3
	soakWindow    = 40 * time.Minute
)

// soakWindowStart is where the window of the slopes starts in a run of d.
func soakWindowStart(d time.Duration) time.Duration { return max(d-soakWindow, d/3) }

// soakKind is what one soak message is.
type soakKind string

const (
	soakText  soakKind = "text"
	soakImage soakKind = "image"
	soakFile  soakKind = "file"
	soakVoice soakKind = "voice"
)

// soakMsg is one message of the soak, either way.
type soakMsg struct {
	kind soakKind
	// key tells it apart where it lands: the text's body, or the file's
	// name (inbound images and voice are counted per room and kind).
	key  string
	room id.RoomID
	sent time.Time
}

// soakSample is one reading of the bridge process.
type soakSample struct {
	at  time.Duration // since the traffic started
	pid int
	rss int64
	// anon and file split rss: anonymous memory (Go's heap and stacks, C
	// allocations) and pages of mapped files (the binary).
	anon, file int64
	// threads is the number of OS threads: each keeps its C stack.
	threads    int64
	goroutines int
	fds        int
	// goHeap is the Go heap in use; goHeld what the Go runtime holds
	// from the OS (heap, stacks, its metadata), so anon - goHeld is
	// about the C allocations: SQLite's.
	goHeap, goHeld int64
	// c is the bridge's own account of its C memory (its /metrics).
	c cMem
}

// soak is the shared state of the scenario.
type soak struct {
	opts Options
	cfg  SoakConfig
	env  *Env
	sim  *wechattest.Server
	m    *messaging
	// metricsURL is the bridge's Prometheus endpoint (its C memory).
	metricsURL string

	start time.Time
	// paused stops both generators (the re-login); held while a message
	// is being sent, so that pausing waits for the one in flight.
	paused sync.RWMutex

	mu      sync.Mutex
	in, out []soakMsg
	samples []soakSample
	// marks are the restart and the re-login, since start.
	restartAt, restartTook, reloginAt, reloginTook time.Duration
	sampleErrs                                     int
}

// RunSoak runs traffic both ways for the configured duration with one
// bridge restart and one re-login, samples the bridge's RSS, goroutines and
// open file descriptors, and checks that every message arrived exactly
// once. The baseline of each resource is its level at the start of the
// fitted window; of each direction, the messages sent.
func RunSoak(ctx context.Context, opts Options, cfg SoakConfig) (_ *Result, err error) {
	res := begin("soak", fmt.Sprintf("one login with %d chats (%d DMs, %d groups); %v of traffic: a message into WeChat every %v, one from the Matrix user every %v, every %dth of each an attachment (in: image, file, voice; out: image, file); the bridge restarted at %.0f%% of the run and WeChat ends the session at %.0f%% (the user logs in again by QR, traffic paused meanwhile); RSS, goroutines and open fds read every %v",
		cfg.Chats, cfg.Chats-cfg.Chats/2, cfg.Chats/2, cfg.Duration, cfg.InInterval, cfg.OutInterval, cfg.MediaEvery, 100*soakRestartAt, 100*soakReloginAt, cfg.Sample))
	seed, chats := messagingSeed(1_600_000_001, cfg.Chats)
	opts.progress("soak: starting the stack")
	metricsPort, err := stack.FreePort()
	if err != nil {
		return nil, err
	}
	metricsAddr := "127.0.0.1:" + itoa(metricsPort)
	env, err := startEnv(ctx, opts, []wechattest.Config{{Seed: seed}}, []string{"soaker"}, map[string]any{
		"network.metrics.enabled": true,
		"network.metrics.listen":  metricsAddr,
	})
	if err != nil {
		return nil, err
	}
	defer env.closeWith(&err)
	s := &soak{opts: opts, cfg: cfg, env: env, sim: env.Stack.Sim, metricsURL: "http://" + metricsAddr + "/metrics"}
	s.m = &messaging{opts: opts, env: env, sim: s.sim, chats: chats, routes: make(map[routeKey]route)}
	s.m.w, err = StartWatcher(ctx, opts.Log, env.Stack.HS.URL, "soaker", env.Stack.Password("soaker"), env.Stack.Bridge.IsBridgeUser)
	if err != nil {
		return nil, err
	}
	defer s.m.w.Close()
	if _, err = env.Login(ctx, env.Stack.UserID("soaker"), s.sim); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	opts.progress("soak: warming up %d chats", len(chats))
	if err = s.m.warmUp(ctx); err != nil {
		return nil, err
	}
	opts.progress("soak: %v of traffic", cfg.Duration)
	if err = s.run(ctx); err != nil {
		return nil, err
	}
	opts.progress("soak: waiting for the last messages, then counting")
	s.report(ctx, res)
	if v := s.sim.Violations(); len(v) > 0 {
		res.note(fmt.Sprintf("the simulator noticed %d protocol violations, first: %s", len(v), v[0]))
	}
	return res.end(), nil
}

// run drives the traffic, the sampler, the restart and the re-login for
// the configured duration.
func (s *soak) run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.start = time.Now()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.sampler(runCtx) }()
	go func() { defer wg.Done(); s.inbound(runCtx) }()
	outErr := make(chan error, 1)
	go func() { defer wg.Done(); outErr <- s.outbound(runCtx) }()

	err := func() error {
		if err := sleepUntil(ctx, s.start.Add(time.Duration(soakRestartAt*float64(s.cfg.Duration)))); err != nil {
			return err
		}
		s.opts.progress("soak: restarting the bridge")
		at := time.Now()
		if err := s.env.Stack.Bridge.Restart(ctx); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
		s.mu.Lock()
		s.restartAt, s.restartTook = at.Sub(s.start), time.Since(at)
		s.mu.Unlock()
		if err := sleepUntil(ctx, s.start.Add(time.Duration(soakReloginAt*float64(s.cfg.Duration)))); err != nil {
			return err
		}
		s.opts.progress("soak: WeChat ends the session; logging in again")
		return s.relogin(ctx)
	}()
	if err == nil {
		err = sleepUntil(ctx, s.start.Add(s.cfg.Duration))
	}
	cancel()
	wg.Wait()
	return errors.Join(err, <-outErr)
}

// relogin pauses the traffic, lets what was sent arrive, has WeChat end
// the session, waits for the bridge to notice and logs in again through
// the provisioning API's QR flow.
func (s *soak) relogin(ctx context.Context) error {
	s.paused.Lock()
	defer s.paused.Unlock()
	s.drain(ctx, 30*time.Second)
	at := time.Now()
	ended := countLog(s.env.Stack.Bridge.LogPath, "WeChat ended the session")
	s.sim.EndSession(1101)
	if !waitLog(ctx, s.env.Stack.Bridge.LogPath, "WeChat ended the session", ended+1, 30*time.Second) {
		return errors.New("re-login: the bridge did not notice that WeChat ended the session within 30 s")
	}
	if _, err := s.env.Login(ctx, s.env.Stack.UserID("soaker"), s.sim); err != nil {
		return fmt.Errorf("re-login: %w", err)
	}
	s.mu.Lock()
	s.reloginAt, s.reloginTook = at.Sub(s.start), time.Since(at)
	s.mu.Unlock()
	return nil
}

// drain waits up to limit for every message sent so far to arrive: the
// inbound ones in the user's /sync, the outbound ones at the simulator.
func (s *soak) drain(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	s.mu.Lock()
	var bodies []string
	for _, m := range s.in {
		if m.kind == soakText {
			bodies = append(bodies, m.key)
		}
	}
	out := append([]soakMsg(nil), s.out...)
	s.mu.Unlock()
	_, _ = s.m.w.WaitAll(ctx, bodies, limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		got := s.received()
		missing := 0
		for _, m := range out {
			if got[m.key] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		sleep(ctx, 200*time.Millisecond)
	}
}

// inbound injects a message into WeChat every InInterval, round-robin
// over the chats and their senders.
func (s *soak) inbound(ctx context.Context) {
	picture := soakJPEG()
	mp3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, 300)...)
	media := []soakKind{soakImage, soakFile, soakVoice}
	next := time.Now()
	for i := 0; ; i++ {
		sleep(ctx, time.Until(next))
		if ctx.Err() != nil {
			return
		}
		// After the pause around the re-login, go on at the same pace
		// rather than catch up with a burst.
		next = nextTick(next, s.cfg.InInterval)
		c := s.m.chats[i%len(s.m.chats)]
		sender := c.senders[(i/len(s.m.chats))%len(c.senders)]
		msg := soakMsg{kind: soakText, room: s.m.routes[routeKey{c.id, sender}].room}
		if s.cfg.MediaEvery > 0 && i%s.cfg.MediaEvery == s.cfg.MediaEvery-1 {
			msg.kind = media[(i/s.cfg.MediaEvery)%len(media)]
		}
		s.paused.RLock()
		msg.sent = time.Now()
		switch msg.kind {
		case soakText:
			msg.key = fmt.Sprintf("soak in %05d %s", i, randomHex(3))
			s.sim.InjectText(c.id, sender, msg.key)
		case soakImage:
			s.sim.InjectImage(c.id, sender, picture)
		case soakFile:
			msg.key = fmt.Sprintf("soak-in-%05d.txt", i)
			s.sim.InjectFile(c.id, sender, msg.key, []byte(fmt.Sprintf("soak file %d\n", i)))
		case soakVoice:
			s.sim.InjectVoice(c.id, sender, mp3, 1500)
		}
		s.mu.Lock()
		s.in = append(s.in, msg)
		s.mu.Unlock()
		s.paused.RUnlock()
	}
}

// outbound sends a message as the Matrix user every OutInterval into the
// portals in turn; a failed send is an error of the scenario (the stack
// is broken), not a lost message.
func (s *soak) outbound(ctx context.Context) error {
	var rooms []id.RoomID
	seen := map[id.RoomID]bool{}
	for _, c := range s.m.chats {
		r := s.m.routes[routeKey{c.id, c.senders[0]}].room
		if !seen[r] {
			seen[r] = true
			rooms = append(rooms, r)
		}
	}
	picture := soakPNG()
	cli := s.m.w.Client
	next := time.Now()
	for i := 0; ; i++ {
		sleep(ctx, time.Until(next))
		if ctx.Err() != nil {
			return nil
		}
		next = nextTick(next, s.cfg.OutInterval)
		msg := soakMsg{kind: soakText, room: rooms[i%len(rooms)]}
		content := &event.MessageEventContent{MsgType: event.MsgText}
		if s.cfg.MediaEvery > 0 && i%s.cfg.MediaEvery == s.cfg.MediaEvery-1 {
			data, mime := picture, "image/png"
			msg.kind, msg.key, content.MsgType = soakImage, fmt.Sprintf("soak-out-%05d.png", i), event.MsgImage
			if (i/s.cfg.MediaEvery)%2 == 1 {
				data, mime = []byte(fmt.Sprintf("soak outbound file %d\n", i)), "text/plain"
				msg.kind, msg.key, content.MsgType = soakFile, fmt.Sprintf("soak-out-%05d.txt", i), event.MsgFile
			}
			up, err := cli.UploadBytesWithName(ctx, data, mime, msg.key)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("uploading %s: %w", msg.key, err)
			}
			content.URL = up.ContentURI.CUString()
			content.Info = &event.FileInfo{MimeType: mime, Size: len(data)}
		} else {
			msg.key = fmt.Sprintf("soak out %05d %s", i, randomHex(3))
		}
		content.Body = msg.key
		s.paused.RLock()
		msg.sent = time.Now()
		_, err := cli.SendMessageEvent(ctx, msg.room, event.EventMessage, content)
		if err == nil {
			s.mu.Lock()
			s.out = append(s.out, msg)
			s.mu.Unlock()
		}
		s.paused.RUnlock()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("sending %s: %w", msg.key, err)
		}
	}
}

// sampler reads the bridge process every Sample: RSS, goroutines (from its
// pprof) and open fds. It reads the PID each time: the restart makes a
// new process. A reading that fails (the process is down) is skipped.
func (s *soak) sampler(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Sample)
	defer tick.Stop()
	for {
		if smp, err := s.read(ctx); err == nil {
			s.mu.Lock()
			s.samples = append(s.samples, smp)
			s.mu.Unlock()
		} else if ctx.Err() == nil {
			s.mu.Lock()
			s.sampleErrs++
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *soak) read(ctx context.Context) (soakSample, error) {
	pid := s.env.Stack.Bridge.PID()
	smp := soakSample{at: time.Since(s.start), pid: pid}
	mem, err := ReadMem(pid)
	if err != nil {
		return smp, err
	}
	smp.rss, smp.anon, smp.file, smp.threads = mem.RSS, mem.Anon, mem.File, mem.Threads
	if smp.fds, err = countFDs(pid); err != nil {
		return smp, err
	}
	if smp.goroutines, err = s.env.goroutines(ctx); err != nil {
		return smp, err
	}
	stats, err := s.env.heapStats(ctx)
	if err != nil {
		return smp, err
	}
	smp.goHeap, smp.goHeld = stats["HeapInuse"], goHeld(stats)
	if smp.c, err = readCMem(ctx, s.metricsURL); err != nil {
		return smp, err
	}
	if s.env.Stack.Bridge.PID() != pid {
		return smp, errors.New("the bridge restarted while it was read")
	}
	return smp, nil
}

// nextTick is the time of the next message of a generator due at next:
// one interval later, or an interval from now when it fell behind by more
// than one (a pause), so that it does not catch up with a burst.
func nextTick(next time.Time, every time.Duration) time.Time {
	if late := time.Now().Add(-every); next.Before(late) {
		next = late
	}
	return next.Add(every)
}

// soakJPEG is a small picture for the inbound images.
func soakJPEG() []byte { return encodeTestImage(false) }

// soakPNG is a small picture for the outbound images.
func soakPNG() []byte { return encodeTestImage(true) }

func encodeTestImage(asPNG bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if asPNG {
		_ = png.Encode(&buf, img)
	} else {
		_ = jpeg.Encode(&buf, img, nil)
	}
	return buf.Bytes()
}
