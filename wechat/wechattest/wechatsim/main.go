// Command wechatsim runs the fake Web WeChat server of package wechattest,
// so that people can try the bridge without risking a real account.
//
// Point the bridge's network.server_override at the printed URL (the
// bridge keeps the real host names in the Host header, which the simulator
// routes by), start a login, then open the phone page it prints
// (http://127.0.0.1:29351/_sim/phone/) to scan and confirm it, chat and
// break things, or script the same with the control API:
//
//	curl -X POST http://127.0.0.1:29351/_sim/confirm
//	curl -X POST 'http://127.0.0.1:29351/_sim/inject-text?chat=alice&text=hello'
//
// or run with -auto-confirm to have every login scanned and confirmed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], nil)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "wechatsim:", err)
		os.Exit(1)
	}
}

type options struct {
	listen      string
	mode        string
	autoConfirm bool
	delay       time.Duration
	webHost     string
	seedFile    string
	logLevel    string
	syncHold    time.Duration
	loginHold   time.Duration
	groupCreate string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("wechatsim", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:29351", "address to listen on")
	fs.StringVar(&o.mode, "mode", "auto", `login modes the account allows: "auto" (web and desktop) or "desktop" (web logins get ret 1203, like most real accounts)`)
	fs.BoolVar(&o.autoConfirm, "auto-confirm", false, "scan and confirm every login after -auto-confirm-delay")
	fs.DurationVar(&o.delay, "auto-confirm-delay", 2*time.Second, "delay before the automatic scan and again before the confirm")
	fs.StringVar(&o.webHost, "web-host", wechattest.DefaultWebHost, "web host named in the login redirect")
	fs.StringVar(&o.seedFile, "seed", "", "JSON file with the account (a wechattest.Seed); empty means the default account")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level (trace, debug, info, warn, error)")
	fs.DurationVar(&o.syncHold, "sync-hold", wechattest.DefaultSyncCheckHold, "how long synccheck is held")
	fs.DurationVar(&o.loginHold, "login-hold", wechattest.DefaultLoginPollHold, "how long the login poll is held")
	fs.StringVar(&o.groupCreate, "group-creation", "", `how webwxcreatechatroom answers: "" (refused, as for most real accounts since 2018), "allowed", "too-frequent" or "created-anyway"`)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if !wechattest.ValidGroupCreation(o.groupCreate) {
		return o, fmt.Errorf("-group-creation must be empty, allowed, too-frequent or created-anyway, not %q", o.groupCreate)
	}
	if o.mode != "auto" && o.mode != "desktop" {
		return o, fmt.Errorf("-mode must be auto or desktop, not %q", o.mode)
	}
	return o, nil
}

func loadSeed(path string) (*wechattest.Seed, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var seed wechattest.Seed
	if err := json.Unmarshal(data, &seed); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return &seed, nil
}

// run serves until ctx ends. ready, if not nil, gets the server and its
// address once it listens.
func run(ctx context.Context, args []string, ready func(*wechattest.Server, string)) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	level, err := zerolog.ParseLevel(o.logLevel)
	if err != nil {
		return err
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly}).
		Level(level).With().Timestamp().Logger()
	seed, err := loadSeed(o.seedFile)
	if err != nil {
		return err
	}
	srv := wechattest.New(wechattest.Config{
		WebHost:        o.webHost,
		LoginPollHold:  o.loginHold,
		SyncCheckHold:  o.syncHold,
		WebLoginBarred: o.mode == "desktop",
		GroupCreation:  wechattest.GroupCreation(o.groupCreate),
		Seed:           seed,
		ControlAPI:     true,
		Log:            &log,
	})
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	base := "http://" + ln.Addr().String()
	log.Info().Str("server_override", base).Str("mode", o.mode).
		Msg("Set network.server_override to this URL; control API under /_sim/")
	fmt.Fprintf(os.Stderr, "Phone (WeChat simulator): %s/_sim/phone/\n", base)

	var wg sync.WaitGroup
	if o.autoConfirm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			autoConfirm(ctx, srv, o.delay, log)
		}()
	}
	if ready != nil {
		ready(srv, ln.Addr().String())
	}
	err = srv.Serve(ctx, ln)
	stop()
	wg.Wait()
	return err
}

// autoConfirm plays a phone that scans and confirms every login.
func autoConfirm(ctx context.Context, srv *wechattest.Server, delay time.Duration, log zerolog.Logger) {
	for {
		uuid, err := srv.WaitForLogin(ctx)
		if err != nil {
			return
		}
		if !sleep(ctx, delay) {
			return
		}
		if srv.Scan(uuid) == nil {
			log.Info().Msg("QR code scanned")
			if !sleep(ctx, delay) {
				return
			}
		}
		if err := srv.Confirm(uuid); err != nil {
			log.Warn().Err(err).Msg("Could not confirm the login")
			continue
		}
		log.Info().Msg("Login confirmed")
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
