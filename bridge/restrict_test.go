package bridge

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/bridgev2/status"

	"github.com/wxbridge/wxbridge/wechat"
)

// restrictions parses a network.restrictions section.
func restrictions(t *testing.T, yml string) *RestrictionsConfig {
	t.Helper()
	var cfg Config
	require.NoError(t, cfg.UnmarshalYAML(yamlNode(t, "restrictions: {"+yml+"}")))
	return &cfg.Restrictions
}

func TestClassifyLogout(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	defaults := restrictions(t, "")
	tests := []struct {
		name       string
		rc         *RestrictionsConfig
		ret        int
		loggedInAt time.Time
		logouts    []time.Time // earlier logouts; now is added
		want       status.BridgeStateErrorCode
	}{
		{"1102 seconds after the login", defaults, wechat.RetCookieInvalid, ago(20 * time.Second), nil, WXRestricted},
		{"1100 four minutes after the login", defaults, wechat.RetSessionNotExist, ago(4 * time.Minute), nil, WXRestricted},
		{"1101 a minute after the login", defaults, wechat.RetSessionInvalid, ago(time.Minute), nil, WXRestricted},
		{"1102 after six minutes", defaults, wechat.RetCookieInvalid, ago(6 * time.Minute), nil, WXLoggedOut},
		{"1102 after two days", defaults, wechat.RetCookieInvalid, ago(48 * time.Hour), nil, WXLoggedOut},
		{"1101 after a day: another client took over", defaults, wechat.RetSessionInvalid, ago(24 * time.Hour), nil, WXSessionReplaced},
		{"login time unknown (metadata from before)", defaults, wechat.RetCookieInvalid, time.Time{}, nil, WXLoggedOut},
		{"second logout within a day", defaults, wechat.RetCookieInvalid, ago(time.Hour), []time.Time{ago(5 * time.Hour)}, WXLoggedOut},
		{"third logout within a day", defaults, wechat.RetCookieInvalid, ago(time.Hour), []time.Time{ago(20 * time.Hour), ago(5 * time.Hour)}, WXRepeatedLogouts},
		{"third logout, the first over a day ago", defaults, wechat.RetCookieInvalid, ago(time.Hour), []time.Time{ago(25 * time.Hour), ago(5 * time.Hour)}, WXLoggedOut},
		{"early and repeated: early says more", defaults, wechat.RetCookieInvalid, ago(time.Minute), []time.Time{ago(3 * time.Hour), ago(2 * time.Hour)}, WXRestricted},
		{"early_logout 0 turns the check off", restrictions(t, "early_logout: 0s"), wechat.RetCookieInvalid, ago(time.Second), nil, WXLoggedOut},
		{"early_logout 30m", restrictions(t, "early_logout: 30m"), wechat.RetCookieInvalid, ago(20 * time.Minute), nil, WXRestricted},
		{"repeated_logouts 0 turns the check off", restrictions(t, "repeated_logouts: 0"), wechat.RetCookieInvalid, ago(time.Hour),
			[]time.Time{ago(4 * time.Hour), ago(3 * time.Hour), ago(2 * time.Hour)}, WXLoggedOut},
		{"repeated_logouts 2", restrictions(t, "repeated_logouts: 2"), wechat.RetSessionInvalid, ago(time.Hour), []time.Time{ago(3 * time.Hour)}, WXRepeatedLogouts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta := &UserLoginMetadata{LoggedInAt: tt.loggedInAt, Logouts: tt.logouts}
			got := meta.noteLogout(tt.ret, now, tt.rc)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.ret, meta.LoggedOutRet)
			assert.Equal(t, tt.want, meta.LoggedOutCode, "the code is kept for a restart")
			assert.Equal(t, now, meta.Logouts[len(meta.Logouts)-1], "this logout is remembered")
			for _, at := range meta.Logouts {
				assert.Less(t, now.Sub(at), logoutMemory, "logouts older than a day are forgotten")
			}
			if tt.want == WXRestricted || tt.want == WXRepeatedLogouts {
				require.NotNil(t, meta.Restriction)
				assert.Equal(t, Restriction{Code: tt.want, At: now}, *meta.Restriction)
			} else {
				assert.Nil(t, meta.Restriction, "a plain logout is no restriction")
			}
		})
	}
}

func TestActiveRestriction(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(code status.BridgeStateErrorCode, ago time.Duration) *UserLoginMetadata {
		return &UserLoginMetadata{Restriction: &Restriction{Code: code, At: now.Add(-ago)}}
	}
	tests := []struct {
		name   string
		meta   *UserLoginMetadata
		active bool
	}{
		{"no login", nil, false},
		{"no restriction", &UserLoginMetadata{LoggedOutRet: wechat.RetCookieInvalid}, false},
		{"kicked early a week ago", at(WXRestricted, 7*24*time.Hour), true},
		{"kicked early 15 days ago", at(WXRestricted, 15*24*time.Hour), false},
		{"1203 an hour ago", at(WXWebLoginBarred, time.Hour), true},
		{"1203 two days ago", at(WXWebLoginBarred, 48*time.Hour), false},
		{"repeated logouts 23 hours ago", at(WXRepeatedLogouts, 23*time.Hour), true},
		{"repeated logouts 25 hours ago", at(WXRepeatedLogouts, 25*time.Hour), false},
		{"a code with no cool-down", at(WXPushLoginRefused, time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := activeRestriction(tt.meta, now)
			if tt.active {
				require.NotNil(t, r)
				assert.Equal(t, tt.meta.Restriction, r)
			} else {
				assert.Nil(t, r)
			}
		})
	}
}

func TestRestrictionTexts(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		code status.BridgeStateErrorCode
		// words the state's text and the warning must have
		state, warning []string
		serverMessage  string
	}{
		{WXRestricted, []string{"within minutes", "two weeks", "send `login`", "confirm first"}, []string{"3 hours ago", "two weeks", "extend"}, ""},
		{WXRepeatedLogouts, []string{"several times within a day", "send `login`"}, []string{"3 hours ago", "barred for weeks"}, ""},
		{WXWebLoginBarred, []string{"1203", "send `login`"}, []string{"1203", "当前登录环境异常"}, "当前登录环境异常。"},
		{WXPushLoginRefused, []string{"QR code", "send `login`"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			text := status.BridgeState{StateEvent: status.StateBadCredentials, Error: tt.code}.Fill(nil).Message
			for _, w := range tt.state {
				assert.Contains(t, strings.ToLower(text), strings.ToLower(w), "the bridge state's text")
			}
			if coolDown(tt.code) == 0 {
				return
			}
			warning := restrictionWarning(&Restriction{Code: tt.code, At: now.Add(-3 * time.Hour), ServerMessage: tt.serverMessage}, now)
			for _, w := range tt.warning {
				assert.Contains(t, warning, w, "the warning before a login")
			}
		})
	}
}

func TestRoughDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "less than a minute"},
		{time.Minute, "1 minute"},
		{59 * time.Minute, "59 minutes"},
		{time.Hour, "1 hour"},
		{47 * time.Hour, "47 hours"},
		{48 * time.Hour, "2 days"},
		{13 * 24 * time.Hour, "13 days"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, roughDuration(tt.d), "%v", tt.d)
	}
}
