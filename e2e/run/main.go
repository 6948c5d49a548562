// Command run starts a local wxbridge stack to try the bridge by hand:
// Dendrite, wxbridge and the WeChat simulator on loopback, with a Matrix
// account to log in with. `make run` builds what it needs and starts it;
// it prints how to connect a Matrix client, the address of the
// simulator's phone page (a web page that plays the WeChat phone), how to
// talk to the bridge bot and a couple of control API calls, and runs
// until Ctrl-C. Its data stays in -dir, so the next run keeps the Matrix
// account, the rooms and the bridge database. The simulator starts fresh
// each time, so the bridge asks for a new WeChat login after a restart.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/wxbridge/wxbridge/e2e/stack"
	"github.com/wxbridge/wxbridge/wechat/wechattest"
)

type options struct {
	bin, dir     string
	homeserver   string
	bridgePort   int
	simAddr      string
	user         string
	autoConfirm  bool
	logLevel     string
	doublePuppet bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "bin", "directory with wxbridge, dendrite, generate-keys, generate-config and create-account")
	fs.StringVar(&o.dir, "dir", ".tmp/run", "directory for the stack's configs, databases and logs (kept between runs)")
	fs.StringVar(&o.homeserver, "homeserver", "127.0.0.1:8008", "Dendrite's listen address (a free port if it is taken)")
	fs.IntVar(&o.bridgePort, "bridge-port", 29350, "the bridge's appservice port")
	fs.StringVar(&o.simAddr, "sim", "127.0.0.1:29351", "the WeChat simulator's listen address (with its control API under /_sim/)")
	fs.StringVar(&o.user, "user", "me", "localpart of the Matrix account to create")
	fs.BoolVar(&o.autoConfirm, "auto-confirm", false, "scan and confirm every WeChat login by itself after 2 seconds")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level of this program and the simulator")
	fs.BoolVar(&o.doublePuppet, "double-puppet", true, "let the bridge send your own WeChat messages as your Matrix user")
	return o, fs.Parse(args)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	level, err := zerolog.ParseLevel(o.logLevel)
	if err != nil {
		return err
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly, NoColor: !isTerminal(os.Stderr)}).
		Level(level).With().Timestamp().Logger()
	if err = os.MkdirAll(o.dir, 0o700); err != nil {
		return err
	}
	password, err := devPassword(filepath.Join(o.dir, "password"))
	if err != nil {
		return err
	}
	hsAddr := o.homeserver
	if !stack.PortFree(hsAddr) {
		log.Warn().Str("addr", hsAddr).Msg("Address taken, Dendrite gets a free port instead")
		hsAddr = ""
	}
	s, err := stack.Start(ctx, stack.Options{
		Bin:            o.bin,
		Dir:            o.dir,
		HomeserverAddr: hsAddr,
		BridgePort:     o.bridgePort,
		SimAddr:        o.simAddr,
		Sims:           []wechattest.Config{{ControlAPI: true}},
		Users:          []stack.Account{{Localpart: o.user, Password: password}},
		DoublePuppet:   o.doublePuppet,
		// The tests send unpaced; a person gets the default pacing.
		Config: map[string]any{"network.send_interval": "1s"},
		Log:    &log,
	})
	if err != nil {
		return err
	}
	defer func() {
		log.Info().Msg("Stopping")
		if err := s.Close(); err != nil {
			log.Err(err).Msg("Stopping the stack failed")
		}
	}()
	var wg sync.WaitGroup
	if o.autoConfirm {
		wg.Go(func() { autoConfirm(ctx, s.Sim, log) })
	}
	printInstructions(os.Stdout, s, o.user, password)
	<-ctx.Done()
	wg.Wait()
	return nil
}

// devPassword reads the dev account's password from path, or makes one and
// saves it there, so that every run uses the same.
func devPassword(path string) (string, error) {
	if data, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(data))) > 0 {
		return strings.TrimSpace(string(data)), nil
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	password := "wx-" + hex.EncodeToString(b)
	return password, os.WriteFile(path, []byte(password+"\n"), 0o600)
}

// autoConfirm plays a phone that scans and confirms every login.
func autoConfirm(ctx context.Context, sim *wechattest.Server, log zerolog.Logger) {
	for {
		uuid, err := sim.WaitForLogin(ctx)
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
		_ = sim.Scan(uuid)
		if err := sim.Confirm(uuid); err != nil {
			log.Warn().Err(err).Msg("Could not confirm the login")
			continue
		}
		log.Info().Msg("Simulator: login confirmed")
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
