package bridge

import (
	_ "embed"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"

	up "go.mau.fi/util/configupgrade"
	"gopkg.in/yaml.v3"

	"github.com/wxbridge/wxbridge/bridge/msgconv"
	"github.com/wxbridge/wxbridge/wechat"
)

// ExampleConfig is the network section of the example config, with every key
// commented. mxmain nests it under `network:`.
//
//go:embed example-config.yaml
var ExampleConfig string

// Config is the `network:` section of the bridge config.
type Config struct {
	// ServerOverride is where every Web WeChat request is sent instead of
	// the real servers, keeping the real host names (for the simulator).
	ServerOverride string `yaml:"server_override"`
	// LoginMode is "desktop" or "web".
	LoginMode string `yaml:"login_mode"`
	// SendInterval is a Go duration (or a number of seconds).
	SendInterval string `yaml:"send_interval"`
	// GroupCreateInterval is the least time between two group creations: a
	// Go duration (or a number of seconds); 0 turns the pacing off.
	GroupCreateInterval string `yaml:"group_create_interval"`
	// DisplaynameTemplate is a text/template over DisplaynameParams.
	DisplaynameTemplate string `yaml:"displayname_template"`
	// BridgeOfficialAccounts makes portals for official (subscription and
	// service) accounts too.
	BridgeOfficialAccounts bool `yaml:"bridge_official_accounts"`
	// MaxMediaSize bounds one attachment either way: a number of bytes or a
	// size such as 100MiB.
	MaxMediaSize string `yaml:"max_media_size"`
	// Metrics is where Prometheus metrics are served, if at all.
	Metrics MetricsConfig `yaml:"metrics"`
	// Restrictions says when a logout counts as WeChat restricting the
	// account.
	Restrictions RestrictionsConfig `yaml:"restrictions"`

	// Parsed forms, filled once by UnmarshalYAML.
	mode         wechat.Mode
	sendInterval time.Duration
	createPace   time.Duration // negative: no pacing; 0: not parsed, wechat's default
	displayname  *template.Template
	maxMediaSize int64
}

// DisplaynameParams are the variables of displayname_template.
type DisplaynameParams struct {
	RemarkName string
	NickName   string
	Alias      string
}

type umConfig Config

// UnmarshalYAML decodes the section and parses the mode, the interval and the
// template once, so that a bad value stops the bridge at start-up.
func (c *Config) UnmarshalYAML(node *yaml.Node) error {
	if err := node.Decode((*umConfig)(c)); err != nil {
		return err
	}
	return c.parse()
}

func (c *Config) parse() error {
	var err error
	if c.ServerOverride != "" {
		u, err := url.Parse(c.ServerOverride)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("network.server_override: %q is not an http(s) base URL", c.ServerOverride)
		}
	}
	if c.mode, err = wechat.ParseMode(c.LoginMode); err != nil {
		return fmt.Errorf("network.login_mode: %w", err)
	}
	if c.sendInterval, err = parseInterval(c.SendInterval); err != nil {
		return fmt.Errorf("network.send_interval: %w", err)
	}
	if c.createPace, err = parseIntervalOr(c.GroupCreateInterval, defaultCreatePace); err != nil {
		return fmt.Errorf("network.group_create_interval: %w", err)
	} else if c.createPace == 0 {
		c.createPace = -1 // wechat reads 0 as its default
	}
	if c.maxMediaSize, err = parseSize(c.MaxMediaSize); err != nil {
		return fmt.Errorf("network.max_media_size: %w", err)
	}
	if err = c.Metrics.check(); err != nil {
		return fmt.Errorf("network.metrics.%w", err)
	}
	if err = c.Restrictions.check(); err != nil {
		return fmt.Errorf("network.restrictions.%w", err)
	}
	tpl := c.DisplaynameTemplate
	if strings.TrimSpace(tpl) == "" {
		tpl = "{{or .RemarkName .NickName}}"
	}
	c.displayname, err = template.New("displayname").Option("missingkey=error").Parse(tpl)
	if err != nil {
		return fmt.Errorf("network.displayname_template: %w", err)
	}
	// Catch references to fields that do not exist now, not at the first contact.
	if err = c.displayname.Execute(&strings.Builder{}, DisplaynameParams{}); err != nil {
		return fmt.Errorf("network.displayname_template: %w", err)
	}
	return nil
}

// parseInterval reads a Go duration; a plain number is seconds. Empty means
// the default of one second.
func parseInterval(s string) (time.Duration, error) { return parseIntervalOr(s, time.Second) }

// defaultCreatePace is group_create_interval's default: WeChat allows about
// two or three creations an hour.
const defaultCreatePace = 20 * time.Minute

// parseIntervalOr is parseInterval with another default for empty.
func parseIntervalOr(s string, def time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, err2 := strconv.ParseFloat(s, 64)
		if err2 != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > 3600 {
			return 0, fmt.Errorf("%q is not a duration such as 1s or 500ms", s)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// Limits of max_media_size. The bridge holds an attachment in memory while
// it bridges it, so the ceiling is a sanity bound, not a WeChat figure.
const (
	defaultMaxMediaSize = 100 << 20
	maxMaxMediaSize     = 1 << 30
)

// sizeUnits are the units parseSize accepts, case-insensitively.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1000, "kib": 1 << 10, "k": 1 << 10,
	"mb": 1000 * 1000, "mib": 1 << 20, "m": 1 << 20,
	"gb": 1000 * 1000 * 1000, "gib": 1 << 30, "g": 1 << 30,
}

// parseSize reads a size: a number of bytes, or a number with a unit
// (100MiB, 1.5 GB, 512k; KB, MB and GB are powers of 1000, KiB, MiB, GiB
// and the bare K, M, G powers of 1024). Empty means the default of 100 MiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return defaultMaxMediaSize, nil
	}
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
	unit, ok := sizeUnits[strings.ToLower(s[len(num):])]
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || strings.ContainsAny(num, "eEpPxX_") || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a size such as 100MiB or 52428800", s)
	}
	size := f * float64(unit)
	switch {
	case size < 1:
		return 0, fmt.Errorf("%q is less than one byte", s)
	case size > maxMaxMediaSize:
		return 0, fmt.Errorf("%q is above %s: the bridge holds an attachment in memory while it bridges it", s, msgconv.FormatSize(maxMaxMediaSize))
	}
	return int64(size), nil
}

// MediaLimit is the largest attachment bridged either way, in bytes.
func (c *Config) MediaLimit() int64 {
	if c.maxMediaSize <= 0 {
		return defaultMaxMediaSize
	}
	return c.maxMediaSize
}

// FormatDisplayname renders displayname_template for a contact, falling back
// to the nickname, the alias and finally the given fallback when the template
// renders nothing.
func (c *Config) FormatDisplayname(p DisplaynameParams, fallback string) string {
	var sb strings.Builder
	if c.displayname != nil {
		if err := c.displayname.Execute(&sb, p); err != nil {
			sb.Reset()
		}
	}
	name := strings.TrimSpace(sb.String())
	for _, alt := range []string{p.NickName, p.Alias, fallback} {
		if name != "" {
			break
		}
		name = alt
	}
	return name
}

// WeChatConfig is the protocol client's config for these settings.
func (c *Config) WeChatConfig() wechat.Config {
	interval := c.sendInterval
	if interval == 0 {
		// wechat treats 0 as "default"; the config's 0 means no pacing.
		interval = -1
	}
	return wechat.Config{
		ServerOverride:      c.ServerOverride,
		Mode:                c.mode,
		SendInterval:        interval,
		GroupCreateInterval: c.createPace,
		// The client's own bound also covers avatars, which a small
		// max_media_size must not refuse; attachments are held to the
		// configured limit by the bridge (see download and sendMedia).
		MaxMediaSize: max(c.MediaLimit(), defaultMaxMediaSize),
	}
}

func upgradeConfig(h up.Helper) {
	h.Copy(up.Str, "server_override")
	h.Copy(up.Str, "login_mode")
	h.Copy(up.Str|up.Int|up.Float, "send_interval")
	h.Copy(up.Str|up.Int|up.Float, "group_create_interval")
	h.Copy(up.Str, "displayname_template")
	h.Copy(up.Bool, "bridge_official_accounts")
	h.Copy(up.Str|up.Int, "max_media_size")
	h.Copy(up.Bool, "metrics", "enabled")
	h.Copy(up.Str, "metrics", "listen")
	h.Copy(up.Str|up.Int, "restrictions", "early_logout")
	h.Copy(up.Int, "restrictions", "repeated_logouts")
}

// GetConfig returns the example network config, the struct it decodes into
// and its upgrader.
func (wc *WeChatConnector) GetConfig() (example string, data any, upgrader up.Upgrader) {
	// Without the final newline mxmain's indenting leaves no line of bare spaces.
	return strings.TrimSuffix(ExampleConfig, "\n"), &wc.Config, up.SimpleUpgrader(upgradeConfig)
}
