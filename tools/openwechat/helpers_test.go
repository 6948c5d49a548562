package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eatmoreapple/openwechat"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

const (
	// rtt is added to every request, as to a server a few milliseconds
	// away. Without it openwechat's synccheck spin (its known bug, see
	// deviations) runs at thousands of rounds a second on loopback.
	rtt = 10 * time.Millisecond
	// waitFor bounds every wait for openwechat.
	waitFor = 10 * time.Second
)

// deviation is a way openwechat v1.4.10 differs from the official web
// client that the simulator records as a violation. Each is accepted by
// the real server (or, for its bugs, answered as the real server answers
// it); anything else the simulator records fails the test.
type deviation struct {
	violation string // a substring of the recorded violation
	why       string
}

// deviations are the differences every openwechat session shows.
var deviations = []deviation{
	{"webwxnewloginpage: fun=new missing", "GetLoginInfo adds only version=v2 to the redirect_uri (caller.go)"},
	{"webwxnewloginpage: desktop headers without mod=desktop", "desktop mode puts mod=desktop only in jslogin's redirect_uri (mode.go); the server goes by the client-version/extspam headers"},
	{"webwxinit: query pass_ticket missing", "WebInit sends only _= (client.go)"},
	{"webwxbatchgetcontact: query pass_ticket missing", "WebWxBatchGetContact sends only type=ex&r= (client.go)"},
	{"webwxsync: body: key rr is a string", "rr is the Unix time as a string (client.go WebWxSync), which the real server takes (reference §4.2)"},
	{"query pass_ticket URL-escaped twice", "url.Values escapes the pass_ticket webwxnewloginpage gave, which is already escaped (client.go)"},
	// Its known bug: synccheck's synckey is built from the SyncKey, not
	// the SyncCheckKey webwxsync returns (client.go SyncCheck). The real
	// server then answers selector 2 at once while webwxsync brings
	// nothing (reference §4.1, §4.2; openwechat#160), so openwechat spins
	// until the next message.
	{"synccheck: SyncKey sent after a SyncCheckKey was issued", "synccheck key built from SyncKey (client.go SyncCheck): the server answers selector 2 at once and openwechat spins"},
}

// newSim starts the simulator with its control API and short holds.
func newSim(t *testing.T, cfg wechattest.Config) *wechattest.Server {
	t.Helper()
	cfg.ControlAPI = true
	if cfg.LoginPollHold == 0 {
		cfg.LoginPollHold = 2 * time.Second
	}
	if cfg.SyncCheckHold == 0 {
		cfg.SyncCheckHold = 2 * time.Second
	}
	return wechattest.NewTest(t, cfg)
}

// checkViolations fails the test for every violation the simulator
// recorded that is not one of openwechat's known deviations (or of
// extra, the deviations this test causes on purpose), and logs how often
// each known one occurred.
func checkViolations(t *testing.T, sim *wechattest.Server, extra ...deviation) {
	t.Helper()
	known := append(append([]deviation(nil), deviations...), extra...)
	counts := make([]int, len(known))
	unknown := map[string]int{}
	var order []string
	for _, v := range sim.Violations() {
		found := false
		for i, d := range known {
			if strings.Contains(v, d.violation) {
				counts[i]++
				found = true
				break
			}
		}
		if !found {
			if unknown[v] == 0 {
				order = append(order, v)
			}
			unknown[v]++
		}
	}
	for _, v := range order {
		t.Errorf("violation not explained by openwechat's known deviations (x%d): %s", unknown[v], v)
	}
	for i, d := range known {
		if counts[i] > 0 {
			t.Logf("known deviation x%d: %s (%s)", counts[i], d.violation, d.why)
		}
	}
}

// testBot is an unmodified openwechat bot talking to the simulator.
type testBot struct {
	*openwechat.Bot
	t        *testing.T
	sim      *wechattest.Server
	received chan received
	stop     context.CancelFunc // stops the bot (see newBot)

	mu      sync.Mutex
	avatars []string // the 201 answers' avatars (base64 JPEG)
}

// received is what openwechat's message handler saw, gathered on its sync
// goroutine the way an application would.
type received struct {
	msg         *openwechat.Message
	sender      string // Sender().NickName
	groupSender string // SenderInGroup().NickName, for group messages
	media       []byte // SaveFile's bytes, for messages with a file
	app         *openwechat.AppMessageData
	revoke      *openwechat.RevokeMsg
	err         error
}

// newBot returns a desktop-mode bot (openwechat.DefaultBot(mode)) whose
// HTTP client goes to the simulator; QR logins are scanned and confirmed
// on the simulator as the phone would.
//
// The bot is stopped by cancelling the context it was given, not with
// bot.Exit: Exit clears the bot's user while its sync loop may be handling
// a message, which then dereferences it (openwechat's message.go
// IsSendBySelf).
func newBot(t *testing.T, sim *wechattest.Server, mode openwechat.BotPreparer) *testBot {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	bot := openwechat.DefaultBot(mode, openwechat.WithContextOption(ctx))
	tr, err := NewTransport(sim.URL(), rtt)
	require.NoError(t, err)
	bot.Caller.Client.HTTPClient().Transport = tr
	tb := &testBot{Bot: bot, t: t, sim: sim, received: make(chan received, 64), stop: stop}
	bot.UUIDCallback = func(uuid string) {
		if err := sim.Scan(uuid); err != nil {
			t.Errorf("scan %s: %v", uuid, err)
		}
	}
	bot.ScanCallBack = func(resp openwechat.CheckLoginResponse) {
		avatar, err := resp.Avatar()
		if err != nil {
			t.Errorf("avatar of the 201 answer: %v", err)
		}
		tb.mu.Lock()
		tb.avatars = append(tb.avatars, avatar)
		tb.mu.Unlock()
		if err := sim.Confirm(bot.UUID()); err != nil {
			t.Errorf("confirm: %v", err)
		}
	}
	bot.LoginCallBack = func(openwechat.CheckLoginResponse) {}
	bot.SyncCheckCallback = func(openwechat.SyncCheckResponse) {}
	bot.MessageHandler = tb.handle
	t.Cleanup(stop)
	return tb
}

func (b *testBot) handle(msg *openwechat.Message) {
	if msg.StatusNotify() {
		return
	}
	r := received{msg: msg}
	var errs []error
	if sender, err := msg.Sender(); err == nil {
		r.sender = sender.NickName
	} else {
		errs = append(errs, err)
	}
	if msg.IsSendByGroup() {
		if sender, err := msg.SenderInGroup(); err == nil {
			r.groupSender = sender.NickName
		} else {
			errs = append(errs, err)
		}
	}
	if msg.HasFile() {
		var buf bytes.Buffer
		errs = append(errs, msg.SaveFile(&buf))
		r.media = buf.Bytes()
	}
	if msg.IsMedia() {
		var err error
		r.app, err = msg.MediaData()
		errs = append(errs, err)
	}
	if msg.IsRecalled() {
		var err error
		r.revoke, err = msg.RevokeMsg()
		errs = append(errs, err)
	}
	r.err = errors.Join(errs...)
	select {
	case b.received <- r:
	default:
		b.t.Errorf("message buffer full: %s", msg)
	}
}

// next returns the next message openwechat's handler saw.
func (b *testBot) next() received {
	b.t.Helper()
	select {
	case r := <-b.received:
		require.NoError(b.t, r.err, "openwechat's handler on %s", r.msg)
		return r
	case <-time.After(waitFor):
		b.t.Fatalf("openwechat received no message within %s (crash reason: %v)", waitFor, b.CrashReason())
	}
	return received{}
}

// exitReason waits until the bot stops and returns why.
func (b *testBot) exitReason() error {
	b.t.Helper()
	select {
	case <-b.Context().Done():
		return b.CrashReason()
	case <-time.After(waitFor):
		b.t.Fatalf("openwechat still running after %s", waitFor)
	}
	return nil
}

// scanAvatars returns the avatars of the 201 answers openwechat saw.
func (b *testBot) scanAvatars() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.avatars...)
}

// control calls an injection route of the simulator's control API (POST
// with a query and a body), as someone using `make run` would, and
// returns the msg_id it answers.
func control(t *testing.T, sim *wechattest.Server, path string, q url.Values, body []byte) string {
	t.Helper()
	var out map[string]string
	data := controlPost(t, sim, path, q, body)
	require.NoError(t, json.Unmarshal(data, &out), string(data))
	return out["msg_id"]
}

// controlPost POSTs to the control API, requires 200 and returns the body.
func controlPost(t *testing.T, sim *wechattest.Server, path string, q url.Values, body []byte) []byte {
	t.Helper()
	resp, err := http.Post(sim.URL()+"/_sim/"+path+"?"+q.Encode(), "application/octet-stream", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, data)
	return data
}

// simState is the part of GET /_sim/state the tests read.
type simState struct {
	LoginCount int `json:"login_count"`
	Session    *struct {
		Alive   bool `json:"alive"`
		Ret     int  `json:"ret"`
		Desktop bool `json:"desktop"`
	} `json:"session"`
}

func state(t *testing.T, sim *wechattest.Server) simState {
	t.Helper()
	resp, err := http.Get(sim.URL() + "/_sim/state")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st simState
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	return st
}

// noisePNG is a PNG of random pixels, which does not compress: w×h×4
// bytes and a little more.
func noisePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.IntN(256))
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// smallPNG is a plain picture of one colour.
func smallPNG(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// tempFile writes data to a file named name in the test's directory.
func tempFile(t *testing.T, name string, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// isJPEG reports whether a base64 data URL payload is a JPEG.
func isJPEG(b64 string) bool {
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(b64, "data:img/jpg;base64,"))
	return err == nil && http.DetectContentType(data) == "image/jpeg"
}

// memStorage is openwechat's HotReloadStorage in memory: every Write
// replaces the content, as its file storage truncates the file.
type memStorage struct {
	mu   sync.Mutex
	data []byte
	r    *bytes.Reader
}

func (m *memStorage) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data, m.r = append([]byte(nil), p...), nil
	return len(p), nil
}

func (m *memStorage) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.r == nil {
		m.r = bytes.NewReader(m.data)
	}
	return m.r.Read(p)
}

// rewind makes the next Read start from the beginning.
func (m *memStorage) rewind() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.r = nil
}

func (m *memStorage) bytes() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data...)
}
