package wechat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testSession() *Session {
	return &Session{
		Hosts:        HostsFor("wx2.qq.com"),
		Uin:          2088123456,
		Sid:          "SECRET-SID",
		SKey:         "@crypt_SECRET-SKEY",
		PassTicket:   "SECRET-PASS",
		DeviceID:     "e123456789012345",
		SyncKey:      SyncKey{Count: 2, List: []SyncKeyItem{{1, 100}, {2, 200}}},
		SyncCheckKey: SyncKey{Count: 1, List: []SyncKeyItem{{1, 101}}},
		Self:         Contact{UserName: "@self", NickName: "Me"},
		Cookies:      []Cookie{{Name: "webwx_data_ticket", Value: "SECRET-COOKIE", Domain: "qq.com", Path: "/"}},
	}
}

func TestSessionJSONRoundTrip(t *testing.T) {
	s := testSession()
	data, err := json.Marshal(s)
	require.NoError(t, err)
	var back Session
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, s, &back)
	assert.True(t, back.Valid())
}

func TestSessionNeverPrintsSecrets(t *testing.T) {
	s := testSession()
	var logBuf bytes.Buffer
	log := zerolog.New(&logBuf)
	log.Info().Object("session", s).Msg("x")
	printed := []string{logBuf.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s)}
	for _, out := range printed {
		for _, secret := range []string{"SECRET-SID", "SECRET-SKEY", "SECRET-PASS", "SECRET-COOKIE"} {
			assert.NotContains(t, out, secret)
		}
		assert.Contains(t, out, "2088123456")
	}
}

func TestSessionCloneIsDeep(t *testing.T) {
	s := testSession()
	c := s.Clone()
	c.SyncKey.List[0].Val = 999
	c.Cookies[0].Value = "changed"
	assert.Equal(t, int64(100), s.SyncKey.List[0].Val)
	assert.Equal(t, "SECRET-COOKIE", s.Cookies[0].Value)
}

func TestSyncKeyString(t *testing.T) {
	k := SyncKey{Count: 3, List: []SyncKeyItem{{1, 645610540}, {2, 645610562}, {1000, 1465222444}}}
	assert.Equal(t, "1_645610540|2_645610562|1000_1465222444", k.String())
	back, err := ParseSyncKey(k.String())
	require.NoError(t, err)
	assert.Equal(t, k, back)
	for _, bad := range []string{"1", "x_1", "1_x", "1_2|"} {
		_, err := ParseSyncKey(bad)
		assert.Error(t, err, bad)
	}
	empty, err := ParseSyncKey("")
	require.NoError(t, err)
	assert.True(t, empty.IsZero())
}

func TestDeviceID(t *testing.T) {
	id := NewDeviceID()
	assert.Regexp(t, `^e\d{15}$`, id)
	assert.NotEqual(t, id, NewDeviceID())
}

func TestInt64Decoding(t *testing.T) {
	tests := []struct {
		in      string
		want    Int64
		wantErr bool
	}{
		{`7123456789012345678`, 7123456789012345678, false},
		{`"7123456789012345678"`, 7123456789012345678, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`1.5e3`, 0, true},
		{`"abc"`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v Int64
			err := json.Unmarshal([]byte(tt.in), &v)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
		})
	}
}
