package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless chromium at a phone's size and returns a tab
// for it; t.Cleanup stops it. Without chromium the test is skipped, unless
// CI is set: there .ci/run installs it, and its absence is a failure.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath(chromiumPath)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is missing at %s (CI is set; .ci/run installs it): %v", chromiumPath, err)
		}
		t.Skipf("chromium is missing at %s: install it (apt-get install chromium) to run the browser test", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first call starts the browser, which lives as long as that
	// call's context: it gets no deadline of its own.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight)), "starting chromium")
	return ctx
}

// A phone's viewport, in CSS pixels.
const (
	phoneWidth  = 390
	phoneHeight = 844
)

// pageWait is how long one step on the page may take.
const pageWait = 20 * time.Second

// pageDo runs browser steps with a deadline, failing the test with what
// was being done.
func pageDo(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, pageWait)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, steps...), "on the phone page: %s", what)
}

// pageValue runs a browser action that reads a value, with a deadline.
func pageValue[T any](t *testing.T, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, pageWait)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err, "on the phone page: %s", what)
	return v
}

// waitShown waits until the page shows an element matching the CSS
// selector whose text contains text.
func waitShown(t *testing.T, tab context.Context, what, selector, text string) {
	t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.offsetParent !== null && e.textContent.includes(%s))`,
		jsString(selector), jsString(text))
	pageValue(t, tab, "waiting until it shows "+what, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond)))
}

// jsString quotes s for JavaScript (JSON strings are JavaScript strings).
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
