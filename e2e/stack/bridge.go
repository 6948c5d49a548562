package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"gopkg.in/yaml.v3"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Bridge is the stack's wxbridge process and its files.
type Bridge struct {
	// URL is the appservice's base URL, http://127.0.0.1:<port>.
	URL string
	// Bot is the bridge bot's MXID.
	Bot id.UserID
	// ConfigPath, RegistrationPath and LogPath are files in the bridge dir.
	ConfigPath       string
	RegistrationPath string
	LogPath          string
	// Starts counts the starts of the process.
	Starts int
	// MetricsURL is the bridge's /metrics, "" when Options.Metrics is off.
	MetricsURL string

	bins    Binaries
	dir     string
	log     zerolog.Logger
	proc    *Process
	hsToken string
	// ghostPrefix is the localpart prefix of ghosts ("wechat_").
	ghostPrefix string
}

// bridgeSetup is what setupBridge needs.
type bridgeSetup struct {
	dir           string
	port          int
	homeserverURL string
	simURL        string
	// doublePuppet is the as_token of the double-puppet registration, or "".
	doublePuppet string
	// permissions are merged over the default ("*": relay, "localhost": user).
	permissions map[string]string
	// values are config values by dotted path, applied last.
	values map[string]any
	// metricsPort serves the bridge's metrics on 127.0.0.1; 0 leaves them
	// off.
	metricsPort int
}

// setupBridge writes the bridge config with `wxbridge -e`, edits it for the
// stack and generates the registration with `wxbridge -g`. A config and
// registration left by an earlier run in the same dir are kept (and edited
// again), so the bridge keeps its tokens and database.
func setupBridge(ctx context.Context, log zerolog.Logger, bins Binaries, bs bridgeSetup) (*Bridge, error) {
	b := &Bridge{
		URL:              "http://127.0.0.1:" + strconv.Itoa(bs.port),
		ConfigPath:       filepath.Join(bs.dir, "config.yaml"),
		RegistrationPath: filepath.Join(bs.dir, "registration.yaml"),
		LogPath:          filepath.Join(bs.dir, "bridge.log"),
		bins:             bins,
		dir:              bs.dir,
		log:              log,
	}
	if bs.metricsPort != 0 {
		b.MetricsURL = "http://127.0.0.1:" + strconv.Itoa(bs.metricsPort) + "/metrics"
	}
	if err := os.MkdirAll(bs.dir, 0o700); err != nil {
		return nil, err
	}
	if _, err := os.Stat(b.ConfigPath); errors.Is(err, os.ErrNotExist) {
		if _, err = runTool(ctx, bs.dir, nil, bins.Path(BinBridge), "-e", "-c", b.ConfigPath); err != nil {
			return nil, err
		}
	}
	if err := b.editConfig(bs); err != nil {
		return nil, err
	}
	if _, err := os.Stat(b.RegistrationPath); errors.Is(err, os.ErrNotExist) {
		if _, err = runTool(ctx, bs.dir, nil, bins.Path(BinBridge), "-g", "-c", b.ConfigPath, "-r", b.RegistrationPath); err != nil {
			return nil, err
		}
		// -g rewrites the config through the upgrader: apply the edits again.
		if err = b.editConfig(bs); err != nil {
			return nil, err
		}
	}
	cfg, err := LoadYAML(b.ConfigPath)
	if err != nil {
		return nil, err
	}
	b.hsToken = cfg.String("appservice.hs_token")
	b.Bot = id.NewUserID(cfg.String("appservice.bot.username"), Domain)
	b.ghostPrefix, _, _ = strings.Cut(cfg.String("appservice.username_template"), "{{")
	if b.hsToken == "" || b.Bot.Localpart() == "" || b.ghostPrefix == "" {
		return nil, fmt.Errorf("%s has no appservice.hs_token, bot username or username template after -g", b.ConfigPath)
	}
	return b, nil
}

func (b *Bridge) editConfig(bs bridgeSetup) error {
	cfg, err := LoadYAML(b.ConfigPath)
	if err != nil {
		return err
	}
	perms := map[string]string{"*": "relay", Domain: "user"}
	for k, v := range bs.permissions {
		perms[k] = v
	}
	secrets := map[string]string{}
	if bs.doublePuppet != "" {
		secrets[Domain] = "as_token:" + bs.doublePuppet
	}
	values := map[string]any{
		"homeserver.address":               bs.homeserverURL,
		"homeserver.domain":                Domain,
		"appservice.address":               b.URL,
		"appservice.hostname":              "127.0.0.1",
		"appservice.port":                  bs.port,
		"appservice.public_address":        nil,
		"database.type":                    "sqlite3-fk-wal",
		"database.uri":                     "file:" + filepath.Join(bs.dir, "wxbridge.db") + "?_txlock=immediate",
		"bridge.permissions":               perms,
		"bridge.portal_event_buffer":       0,
		"double_puppet.servers":            map[string]string{},
		"double_puppet.secrets":            secrets,
		"network.server_override":          bs.simURL,
		"network.send_interval":            "0s",
		"network.group_create_interval":    "0s",
		"logging.min_level":                "debug",
		"logging.writers":                  []map[string]string{{"type": "stdout", "format": "pretty", "time_format": "2006-01-02T15:04:05.000000Z07:00"}},
		"encryption.allow":                 false,
		"backfill.enabled":                 false,
		"bridge.bridge_status_notices":     "errors",
		"bridge.personal_filtering_spaces": true,
	}
	// The tests end sessions seconds after a login and several times a
	// minute: restriction checks off, but for the tests of restrictions
	// (e2e/restrict_test.go), which turn them on through Options.Config.
	values["network.restrictions.early_logout"] = "0s"
	values["network.restrictions.repeated_logouts"] = 0
	if bs.metricsPort != 0 {
		values["network.metrics.enabled"] = true
		values["network.metrics.listen"] = "127.0.0.1:" + strconv.Itoa(bs.metricsPort)
	}
	if err = cfg.SetAll(values); err != nil {
		return err
	}
	if err = cfg.SetAll(bs.values); err != nil {
		return err
	}
	return cfg.Save()
}

// Start starts the bridge and waits for /_matrix/mau/ready.
func (b *Bridge) Start(ctx context.Context) error {
	if b.proc != nil {
		return errors.New("bridge is already running")
	}
	proc, err := startProcess(b.log, "wxbridge", b.LogPath, b.dir, nil, b.bins.Path(BinBridge),
		"-c", b.ConfigPath, "-r", b.RegistrationPath, "-n",
		// Dendrite advertises spec v1.2; the bridge wants v1.4.
		"--ignore-unsupported-server")
	if err != nil {
		return err
	}
	b.proc = proc
	b.Starts++
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err = waitHTTP(ctx, b.URL+"/_matrix/mau/ready", proc); err != nil {
		return err
	}
	b.log.Info().Str("url", b.URL).Dur("took", time.Since(start)).Int("start", b.Starts).Msg("Bridge is ready")
	return nil
}

// Stop stops the bridge (SIGTERM, then SIGKILL). It reports a bridge that
// had exited by itself with an error.
func (b *Bridge) Stop() error {
	if b.proc == nil {
		return nil
	}
	err := b.proc.Stop()
	b.proc = nil
	return err
}

// Restart stops the bridge and starts it again on the same config and
// database.
func (b *Bridge) Restart(ctx context.Context) error {
	if err := b.Stop(); err != nil {
		return err
	}
	return b.Start(ctx)
}

// Running reports whether the bridge process is running.
func (b *Bridge) Running() bool {
	if b.proc == nil {
		return false
	}
	select {
	case <-b.proc.Exited():
		return false
	default:
		return true
	}
}

// Tail returns the last n lines of the bridge log.
func (b *Bridge) Tail(n int) string { return tailFile(b.LogPath, n) }

// Transaction is an appservice transaction as the homeserver would push it.
type Transaction struct {
	Events    []*event.Event `json:"events"`
	Ephemeral []*event.Event `json:"ephemeral,omitempty"`
}

// PushTransaction PUTs an appservice transaction to the bridge, as the
// homeserver would. Dendrite never pushes redactions, receipts or typing,
// so tests of those paths make them up here.
func (b *Bridge) PushTransaction(ctx context.Context, txnID string, txn Transaction) error {
	if txn.Events == nil {
		txn.Events = []*event.Event{}
	}
	body, err := json.Marshal(txn)
	if err != nil {
		return err
	}
	u := b.URL + "/_matrix/app/v1/transactions/" + url.PathEscape(txnID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.hsToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("transaction %s: %s: %s", txnID, resp.Status, msg)
	}
	return nil
}

// writeDoublePuppetRegistration writes the registration that lets the
// bridge act as any local user (double puppeting with an as_token secret),
// and returns its as_token. An existing file is kept.
func writeDoublePuppetRegistration(path string) (string, error) {
	type namespace struct {
		Regex     string `yaml:"regex"`
		Exclusive bool   `yaml:"exclusive"`
	}
	var reg struct {
		ID              string `yaml:"id"`
		URL             string `yaml:"url"`
		ASToken         string `yaml:"as_token"`
		HSToken         string `yaml:"hs_token"`
		SenderLocalpart string `yaml:"sender_localpart"`
		RateLimited     bool   `yaml:"rate_limited"`
		Namespaces      struct {
			Users []namespace `yaml:"users"`
		} `yaml:"namespaces"`
	}
	if data, err := os.ReadFile(path); err == nil {
		if err = yaml.Unmarshal(data, &reg); err != nil || reg.ASToken == "" {
			return "", fmt.Errorf("%s: no as_token (%v)", path, err)
		}
		return reg.ASToken, nil
	}
	reg.ID = "doublepuppet"
	reg.ASToken = randomToken(32)
	reg.HSToken = randomToken(32)
	reg.SenderLocalpart = "doublepuppetsender"
	reg.Namespaces.Users = []namespace{{Regex: `@.*:` + Domain, Exclusive: false}}
	data, err := yaml.Marshal(&reg)
	if err != nil {
		return "", err
	}
	return reg.ASToken, os.WriteFile(path, data, 0o600)
}
