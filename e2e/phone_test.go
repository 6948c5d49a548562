package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/event"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

// hostileNick is a contact name that would run script if the page put
// names into HTML.
const hostileNick = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>Mallory`

// TestPhonePage plays the phone in a real browser (headless chromium):
// the login the bridge asks for is scanned and confirmed by clicking on the
// page, a message written on the page as alice (Chinese and emoji) reaches
// the Matrix portal from alice's ghost, the user's Matrix reply shows up
// on the page as a bubble, and ending the session on the page makes the
// bot say so while the page goes back to the login screen. With
// WXBRIDGE_SCREENSHOT_DIR set it saves the chat as phone.png there.
func TestPhonePage(t *testing.T) {
	tab := newBrowser(t)
	e := setup(t, stack.Options{})
	sim, bot := e.s.Sim, e.s.Bridge.Bot
	sim.AddContact(wechattest.SeedContact{ID: "mallory", NickName: hostileNick, Friend: true})
	page := e.s.Sims.URL + "/_sim/phone/"
	t.Logf("phone page: %s", page)

	pageDo(t, tab, "opening it", chromedp.Navigate(page))
	waitShown(t, tab, "that no login is waiting", "#login-idle", "No login is waiting")

	room := e.managementRoom(e.u)
	cmd := e.command(e.u, room, "login")
	e.qrImage(e.u, room, cmd)
	uuid := e.pendingLogin(sim, "")
	waitShown(t, tab, "the pending QR login", "#qr-payload", uuid)
	pageDo(t, tab, "clicking Scan", chromedp.Click(chromedp.CSS("#scan")))
	e.botReply(e.u, room, cmd, "scanned")
	pageDo(t, tab, "clicking Confirm", chromedp.Click(chromedp.CSS("#confirm")))
	e.botReply(e.u, room, cmd, "Logged in as "+defaultSelf)

	waitShown(t, tab, "alice in the chat list", `#chat-list button[data-chat="alice"]`, seedName("alice"))
	hostile := pageValue(t, tab, "reading the hostile contact's name",
		chromedp.Evaluate[string](`document.querySelector('#chat-list button[data-chat="mallory"] .name b').firstChild.textContent`))
	pwned := pageValue(t, tab, "looking for markup from the contact's name",
		chromedp.Evaluate[bool](`window.pwned !== undefined || document.querySelector("#chat-list img, #chat-list script") !== null`))
	assert.Equal(t, hostileNick, hostile, "a contact's name is shown as text, markup and all")
	assert.False(t, pwned, "a contact's name never becomes HTML on the page")

	alice := e.waitPortal(e.u, seedName("alice"), seedName("alice"))
	aliceGhost := alice.ghosts[seedName("alice")]
	const fromPhone = "你好，今天吃什么？🍜😀"
	pageDo(t, tab, "opening alice's chat and writing as alice",
		chromedp.Click(chromedp.CSS(`#chat-list button[data-chat="alice"]`)),
		chromedp.WaitVisible(chromedp.CSS("#composer")))
	writer := pageValue(t, tab, "reading who writes", chromedp.Evaluate[string](`document.querySelector("#sender").selectedOptions[0].textContent`))
	require.Equal(t, seedName("alice"), writer, "in a direct chat the page writes as the contact by default")
	pageDo(t, tab, "writing as alice and pressing Enter", chromedp.SendKeys(chromedp.CSS("#text"), fromPhone+"\r"))
	e.waitMessage(e.u, alice.ID, aliceGhost, fromPhone)
	waitShown(t, tab, "alice's message as her bubble", ".msg.theirs .bubble .text", fromPhone)

	// A picture sent from the page as alice, then a message she recalls.
	pic := filepath.Join(t.TempDir(), "cat.png")
	require.NoError(t, os.WriteFile(pic, smallPNG(t), 0o600))
	pageDo(t, tab, "sending a picture as alice", chromedp.SetUploadFiles(chromedp.CSS("#attach"), []string{pic}))
	_, err := e.u.WaitEvent(e.ctx, alice.ID, "the picture from alice's ghost", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == aliceGhost && msg.MsgType == event.MsgImage
	})
	require.NoError(t, err)
	waitShown(t, tab, "the picture as alice's bubble", ".msg.theirs .bubble.media", "")
	const oops = "发错了，撤回 oops"
	pageDo(t, tab, "writing a message to recall", chromedp.SendKeys(chromedp.CSS("#text"), oops+"\r"))
	oopsEvt := e.waitMessage(e.u, alice.ID, aliceGhost, oops)
	oopsID := pageValue(t, tab, "finding the message to recall", chromedp.Evaluate[string](
		`[...document.querySelectorAll(".msg.theirs")].find(li => li.textContent.includes(`+jsString(oops)+`)).dataset.msg`))
	pageDo(t, tab, "clicking Recall on it", chromedp.Click(chromedp.CSS(`li[data-msg="`+oopsID+`"] button.recall`)))
	e.waitUntil("the recalled message to be redacted in Matrix", func(ctx context.Context) (bool, error) {
		got, err := e.u.Client.GetEvent(ctx, alice.ID, oopsEvt.ID)
		if err != nil {
			return false, err
		}
		return got.Unsigned.RedactedBecause != nil, nil
	})
	waitShown(t, tab, "the recall notice in the message's place", `li[data-msg="`+oopsID+`"][data-kind="recalled"]`, "撤回了一条消息")

	const fromMatrix = "回来了 from Matrix 👋"
	_, err = e.u.SendText(e.ctx, alice.ID, fromMatrix)
	require.NoError(t, err)
	waitShown(t, tab, "the Matrix message as the user's bubble", ".msg.mine .bubble .text", fromMatrix)
	waitShown(t, tab, "the Matrix message marked as sent by the bridge", ".msg.mine .meta .tag", "via bridge")
	if os.Getenv(screenshotEnv) != "" {
		// A few more bubbles for the README's picture.
		sim.InjectText("alice", "", "七点，老地方见？火锅 🍲🌶️")
		e.waitMessage(e.u, alice.ID, aliceGhost, "七点，老地方见？火锅 🍲🌶️")
		_, err = e.u.SendText(e.ctx, alice.ID, "好的！See you at 7 👍")
		require.NoError(t, err)
		waitShown(t, tab, "the last message of the picture", ".msg.mine .bubble .text", "See you at 7")
		saveScreenshot(t, tab)
		if dir := os.Getenv(matrixClientEnv); dir != "" {
			saveSideBySide(t, tab, dir, url.Values{
				"hs": {e.s.HS.URL}, "user": {tester}, "password": {e.s.Password(tester)}, "room": {alice.ID.String()},
			})
			pageDo(t, tab, "coming back from the Matrix client",
				chromedp.EmulateViewport(phoneWidth, phoneHeight), chromedp.Navigate(page+"#chat/alice"))
			waitShown(t, tab, "alice's chat again", ".msg.mine .bubble .text", fromMatrix)
		}
	}

	events, err := e.u.Events(e.ctx, room)
	require.NoError(t, err)
	last := events[len(events)-1].ID
	pageDo(t, tab, "ending the session (1101) from the Account tab",
		chromedp.Click(chromedp.CSS("#tab-me")),
		chromedp.Click(chromedp.CSS("#end-1101")))
	notice, err := e.u.WaitEventAfter(e.ctx, room, last, "the bot saying the WeChat session ended", func(evt *event.Event) bool {
		msg := stack.Message(evt)
		return msg != nil && evt.Sender == bot && strings.Contains(strings.ToLower(msg.Body), "log")
	})
	require.NoError(t, err)
	t.Logf("the bot says: %q", stack.Message(notice).Body)
	waitShown(t, tab, "the session's end in the account's events", "#notes li", "The session ended (1101)")
	pageDo(t, tab, "going back to the chats", chromedp.Click(chromedp.CSS("#tab-chats")))
	waitShown(t, tab, "the login screen again", "#login-ended", "WeChat ended the session (1101)")
}

// smallPNG is a 96×96 picture to send from the page.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for y := range 96 {
		for x := range 96 {
			img.SetRGBA(x, y, color.RGBA{R: uint8(x * 8 / 3), G: 160, B: uint8(y * 8 / 3), A: 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// screenshotEnv names the directory where TestPhonePage saves phone.png.
const screenshotEnv = "WXBRIDGE_SCREENSHOT_DIR"

// matrixClientEnv names a built tools/matrix-client-shot: with it,
// TestPhonePage also saves the phone page beside that Matrix client.
const matrixClientEnv = "WXBRIDGE_MATRIX_CLIENT_DIR"

// saveSideBySide serves the Matrix client in dir, shows the room that
// query names in the tab (it loads only in a tab in front) and saves
// phone-and-matrix.png: the Matrix client on the left, the phone page
// (phone.png) on the right.
func saveSideBySide(t *testing.T, tab context.Context, dir string, query url.Values) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	mx := tab
	pageDo(t, mx, "opening the Matrix client", chromedp.EmulateViewport(520, phoneHeight),
		chromedp.Navigate("http://"+ln.Addr().String()+"/?"+query.Encode()))
	status := pageValue(t, mx, "waiting for the Matrix client", chromedp.Poll[string](
		`document.title === "ready" || document.title.startsWith("failed") || document.title.startsWith("error") ? document.title : ""`))
	require.Equal(t, "ready", status, "the Matrix client shows the room")
	time.Sleep(2 * time.Second) // let the timeline fill in
	pageValue(t, mx, "scrolling the timeline to its newest message", chromedp.Evaluate[bool](
		`[...document.querySelectorAll("*")].forEach(el => { if (el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight; }) || true`))
	time.Sleep(300 * time.Millisecond)
	left := decodePNG(t, pageValue(t, mx, "taking the Matrix client's screenshot", chromedp.CaptureScreenshot()))
	phone, err := os.ReadFile(filepath.Join(os.Getenv(screenshotEnv), "phone.png"))
	require.NoError(t, err)
	right := decodePNG(t, phone)

	const gap = 16
	out := image.NewRGBA(image.Rect(0, 0, left.Bounds().Dx()+gap+right.Bounds().Dx(), max(left.Bounds().Dy(), right.Bounds().Dy())))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.RGBA{R: 0xcf, G: 0xcf, B: 0xcf, A: 0xff}), image.Point{}, draw.Src)
	draw.Draw(out, left.Bounds(), left, left.Bounds().Min, draw.Src)
	draw.Draw(out, right.Bounds().Sub(right.Bounds().Min).Add(image.Pt(left.Bounds().Dx()+gap, 0)), right, right.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, out))
	path := filepath.Join(os.Getenv(screenshotEnv), "phone-and-matrix.png")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	t.Logf("side by side: %s", path)
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	return img
}

// saveScreenshot saves the page as phone.png in the screenshotEnv
// directory.
func saveScreenshot(t *testing.T, tab context.Context) {
	t.Helper()
	dir := os.Getenv(screenshotEnv)
	time.Sleep(300 * time.Millisecond) // let the last bubble's layout settle
	shot := pageValue(t, tab, "taking a screenshot", chromedp.CaptureScreenshot())
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "phone.png")
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s", path)
}
