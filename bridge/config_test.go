package bridge

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	up "go.mau.fi/util/configupgrade"
	"gopkg.in/yaml.v3"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestConfigParse(t *testing.T) {
	tests := []struct {
		name         string
		yaml         string
		wantErr      string
		wantMode     wechat.Mode
		wantInterval time.Duration
	}{
		{"example", ExampleConfig, "", wechat.ModeDesktop, time.Second},
		{"web mode, ms interval", "login_mode: web\nsend_interval: 500ms", "", wechat.ModeWeb, 500 * time.Millisecond},
		{"seconds as a number", "send_interval: 2", "", wechat.ModeDesktop, 2 * time.Second},
		{"zero disables pacing", "send_interval: 0s", "", wechat.ModeDesktop, 0},
		{"empty is the default", "send_interval: ''", "", wechat.ModeDesktop, time.Second},
		{"override", "server_override: http://127.0.0.1:8080", "", wechat.ModeDesktop, time.Second},
		{"bad mode", "login_mode: phone", "network.login_mode", "", 0},
		{"bad interval", "send_interval: soon", "network.send_interval", "", 0},
		{"negative interval", "send_interval: -1s", "network.send_interval", "", 0},
		{"NaN interval", "send_interval: NaN", "network.send_interval", "", 0},
		{"bad template", "displayname_template: '{{.NickName'", "network.displayname_template", "", 0},
		{"unknown template field", "displayname_template: '{{.Phone}}'", "network.displayname_template", "", 0},
		{"override without scheme", "server_override: 127.0.0.1:8080", "network.server_override", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			err := yaml.Unmarshal([]byte(tt.yaml), &cfg)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMode, cfg.mode)
			assert.Equal(t, tt.wantInterval, cfg.sendInterval)
			wcfg := cfg.WeChatConfig()
			assert.Equal(t, cfg.ServerOverride, wcfg.ServerOverride)
			if tt.wantInterval == 0 {
				assert.Negative(t, wcfg.SendInterval, "0 must reach wechat as 'no pacing'")
			} else {
				assert.Equal(t, tt.wantInterval, wcfg.SendInterval)
			}
		})
	}
}

func TestFormatDisplayname(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   DisplaynameParams
		want     string
	}{
		{"remark wins", "", DisplaynameParams{RemarkName: "Mum", NickName: "Alice"}, "Mum"},
		{"nick without remark", "", DisplaynameParams{NickName: "Alice"}, "Alice"},
		{"custom", "{{.NickName}} ({{.Alias}})", DisplaynameParams{NickName: "Carol", Alias: "carol_w"}, "Carol (carol_w)"},
		{"empty result falls back to nick", "{{.RemarkName}}", DisplaynameParams{NickName: "Bob"}, "Bob"},
		{"nothing at all uses the fallback", "{{.RemarkName}}", DisplaynameParams{}, "@abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			require.NoError(t, yaml.Unmarshal([]byte("displayname_template: '"+tt.template+"'"), &cfg))
			assert.Equal(t, tt.want, cfg.FormatDisplayname(tt.params, "@abc"))
		})
	}
}

// yamlKeys returns the yaml keys of Config's exported fields.
func yamlKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		require.NotEmpty(t, tag, "field %s has no yaml tag", f.Name)
		keys = append(keys, tag)
	}
	return keys
}

// TestConfigKeysAgree checks that struct tags, the example and the upgrader
// name the same keys, and that the upgrader keeps every user value.
// TestGroupCreateIntervalConfig: group_create_interval reaches the client,
// 20 minutes when unset and "no pacing" for 0.
func TestGroupCreateIntervalConfig(t *testing.T) {
	tests := []struct {
		yaml    string
		want    time.Duration // <0: no pacing
		wantErr string
	}{
		{"group_create_interval: ''", 20 * time.Minute, ""},
		{"group_create_interval: 1h", time.Hour, ""},
		{"group_create_interval: 0", -1, ""},
		{"group_create_interval: soon", 0, "network.group_create_interval"},
		{"group_create_interval: -5m", 0, "network.group_create_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			var cfg Config
			err := yaml.Unmarshal([]byte(tt.yaml), &cfg)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := cfg.WeChatConfig().GroupCreateInterval
			if tt.want < 0 {
				assert.Negative(t, got, "0 must reach wechat as 'no pacing'")
			} else {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestConfigKeysAgree(t *testing.T) {
	keys := yamlKeys(t)

	var example map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(ExampleConfig), &example))
	exampleKeys := make([]string, 0, len(example))
	for k := range example {
		exampleKeys = append(exampleKeys, k)
	}
	assert.ElementsMatch(t, keys, exampleKeys, "struct tags and example-config.yaml differ")
	for _, contract := range []string{"server_override", "login_mode", "send_interval", "displayname_template"} {
		assert.Contains(t, keys, contract, "design.md contract key missing")
	}

	// A user config with a non-default value for every key must survive the
	// upgrader unchanged.
	user := map[string]any{
		"server_override":          "http://127.0.0.1:9999",
		"login_mode":               "web",
		"send_interval":            "3s",
		"group_create_interval":    "1h",
		"displayname_template":     "{{.NickName}}",
		"bridge_official_accounts": true,
		"max_media_size":           "20MiB",
		"metrics":                  map[string]any{"enabled": true, "listen": "0.0.0.0:9154"},
		"restrictions":             map[string]any{"early_logout": "30m", "repeated_logouts": 0},
	}
	userKeys := make([]string, 0, len(user))
	for k := range user {
		userKeys = append(userKeys, k)
	}
	require.ElementsMatch(t, keys, userKeys, "test table must cover every key")
	userYAML, err := yaml.Marshal(user)
	require.NoError(t, err)
	var base, cfgNode yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(ExampleConfig), &base))
	require.NoError(t, yaml.Unmarshal(userYAML, &cfgNode))
	up.SimpleUpgrader(upgradeConfig).DoUpgrade(up.NewHelper(&base, &cfgNode))
	out, err := yaml.Marshal(&base)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, yaml.Unmarshal(out, &got))
	assert.Equal(t, user, got)

	var cfg Config
	require.NoError(t, yaml.Unmarshal(out, &cfg))
	assert.Equal(t, wechat.ModeWeb, cfg.mode)
	assert.Equal(t, 3*time.Second, cfg.sendInterval)
	assert.True(t, cfg.BridgeOfficialAccounts)
	assert.Equal(t, int64(20<<20), cfg.MediaLimit())
	assert.Equal(t, MetricsConfig{Enabled: true, Listen: "0.0.0.0:9154"}, cfg.Metrics)
	assert.Equal(t, 30*time.Minute, cfg.Restrictions.earlyLogout)
	assert.Zero(t, cfg.Restrictions.repeatedLogouts(), "0 (the check off) survives the upgrade")
}

func TestRestrictionsConfig(t *testing.T) {
	tests := []struct {
		name      string
		yaml      string
		wantErr   string
		wantEarly time.Duration
		wantCount int
	}{
		{"example", ExampleConfig, "", 5 * time.Minute, 3},
		{"absent: the defaults", "login_mode: web", "", DefaultEarlyLogout, DefaultRepeatedLogouts},
		{"empty: the defaults", "restrictions: {early_logout: ''}", "", DefaultEarlyLogout, DefaultRepeatedLogouts},
		{"both off", "restrictions: {early_logout: 0, repeated_logouts: 0}", "", 0, 0},
		{"0s is off too", "restrictions: {early_logout: 0s}", "", 0, DefaultRepeatedLogouts},
		{"other values", "restrictions: {early_logout: 90s, repeated_logouts: 5}", "", 90 * time.Second, 5},
		{"a bare number is no duration", "restrictions: {early_logout: 300}", "network.restrictions.early_logout", 0, 0},
		{"negative duration", "restrictions: {early_logout: -5m}", "network.restrictions.early_logout", 0, 0},
		{"negative count", "restrictions: {repeated_logouts: -1}", "network.restrictions.repeated_logouts", 0, 0},
		{"count not a number", "restrictions: {repeated_logouts: many}", "cannot unmarshal", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			err := yaml.Unmarshal([]byte(tt.yaml), &cfg)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantEarly, cfg.Restrictions.earlyLogout)
			assert.Equal(t, tt.wantCount, cfg.Restrictions.repeatedLogouts())
		})
	}
}

func TestMetricsConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    MetricsConfig
		wantErr string
	}{
		{"example: off on loopback", ExampleConfig, MetricsConfig{Listen: "127.0.0.1:8001"}, ""},
		{"absent is off", "login_mode: web", MetricsConfig{}, ""},
		{"enabled", "metrics: {enabled: true, listen: '127.0.0.1:9154'}", MetricsConfig{Enabled: true, Listen: "127.0.0.1:9154"}, ""},
		{"all interfaces", "metrics: {enabled: true, listen: ':9154'}", MetricsConfig{Enabled: true, Listen: ":9154"}, ""},
		{"IPv6 loopback", "metrics: {enabled: true, listen: '[::1]:9154'}", MetricsConfig{Enabled: true, Listen: "[::1]:9154"}, ""},
		{"host name", "metrics: {enabled: true, listen: 'localhost:9154'}", MetricsConfig{Enabled: true, Listen: "localhost:9154"}, ""},
		{"enabled without address", "metrics: {enabled: true, listen: ''}", MetricsConfig{}, "network.metrics.listen: metrics are enabled but no address"},
		{"port only", "metrics: {enabled: true, listen: '9154'}", MetricsConfig{}, "network.metrics.listen: \"9154\" is not a host:port"},
		{"port zero", "metrics: {enabled: true, listen: '127.0.0.1:0'}", MetricsConfig{}, "needs a port between 1 and 65535"},
		{"port too big", "metrics: {listen: '127.0.0.1:70000'}", MetricsConfig{}, "needs a port between 1 and 65535"},
		{"named port", "metrics: {listen: '127.0.0.1:http'}", MetricsConfig{}, "needs a port between 1 and 65535"},
		{"a URL", "metrics: {enabled: true, listen: 'http://127.0.0.1:9154'}", MetricsConfig{}, "network.metrics.listen"},
		{"checked while off", "metrics: {enabled: false, listen: 'nonsense'}", MetricsConfig{}, "network.metrics.listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			err := yaml.Unmarshal([]byte(tt.yaml), &cfg)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "such as 127.0.0.1:8001", "the error shows a valid address")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Metrics)
		})
	}
}

func TestMaxMediaSize(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    int64
		wantErr string
	}{
		{"example", ExampleConfig, 100 << 20, ""},
		{"absent is the default", "login_mode: web", 100 << 20, ""},
		{"empty is the default", "max_media_size: ''", 100 << 20, ""},
		{"bytes as a number", "max_media_size: 52428800", 50 << 20, ""},
		{"bytes as a string", "max_media_size: '1000'", 1000, ""},
		{"MiB", "max_media_size: 100MiB", 100 << 20, ""},
		{"MB is decimal", "max_media_size: 100MB", 100_000_000, ""},
		{"unit with a space, any case", "max_media_size: 0.5 gib", 1 << 29, ""},
		{"bare M is MiB", "max_media_size: 20M", 20 << 20, ""},
		{"KiB", "max_media_size: 512KiB", 512 << 10, ""},
		{"bytes unit", "max_media_size: 2048B", 2048, ""},
		{"the ceiling", "max_media_size: 1GiB", 1 << 30, ""},
		{"above the ceiling", "max_media_size: 2GiB", 0, "network.max_media_size"},
		{"zero", "max_media_size: 0", 0, "network.max_media_size"},
		{"negative", "max_media_size: -5MiB", 0, "network.max_media_size"},
		{"unknown unit", "max_media_size: 10 parsecs", 0, "network.max_media_size"},
		{"no number", "max_media_size: MiB", 0, "network.max_media_size"},
		{"exponent", "max_media_size: 1e9", 0, "network.max_media_size"},
		{"hex", "max_media_size: 0x100", 0, "network.max_media_size"},
		{"infinite", "max_media_size: Inf", 0, "network.max_media_size"},
		{"NaN", "max_media_size: NaN", 0, "network.max_media_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			err := yaml.Unmarshal([]byte(tt.yaml), &cfg)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.MediaLimit())
			// The client's bound covers avatars too: never below the default,
			// never below the configured limit.
			assert.Equal(t, max(tt.want, maxFileSize), cfg.WeChatConfig().MaxMediaSize)
		})
	}
	var zero Config
	assert.Equal(t, int64(maxFileSize), zero.MediaLimit(), "a config never decoded has the default")
}
