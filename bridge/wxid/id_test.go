package wxid_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/bridge/wxid"
	wxdb "github.com/wxbridge/wxbridge/database"
)

func TestIDs(t *testing.T) {
	loginID := wxid.MakeUserLoginID(2876543210)
	assert.EqualValues(t, "2876543210", loginID)
	uin, err := wxid.ParseUserLoginID(loginID)
	require.NoError(t, err)
	assert.Equal(t, int64(2876543210), uin)
	_, err = wxid.ParseUserLoginID("@abc")
	assert.Error(t, err)

	// NewMsgIds exceed 2^53: no float on the way.
	const big = int64(9007199254740993)
	msgID := wxid.MakeMessageID(big)
	assert.EqualValues(t, "9007199254740993", msgID)
	got, err := wxid.ParseMessageID(msgID)
	require.NoError(t, err)
	assert.Equal(t, big, got)

	puid, err := wxdb.NewPUID()
	require.NoError(t, err)
	key := wxid.MakePortalKey(puid, loginID)
	assert.EqualValues(t, puid, key.ID)
	assert.Equal(t, loginID, key.Receiver)
	self := wxid.MakeSelfUserID(loginID)
	assert.False(t, wxdb.ValidPUID(string(self)), "the self ghost ID must never look like a PUID")
	assert.NotEqual(t, wxid.MakeUserID(puid), self)
}
