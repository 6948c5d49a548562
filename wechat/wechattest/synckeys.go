package wechattest

import (
	"slices"
	"time"

	"github.com/wxbridge/wxbridge/wechat"
)

// keyBase holds the account's random base values of the sync keys. A key
// names a position in the event log: every value is its base plus the
// position. The SyncCheckKey has more keys (11, 13, 201, 1001) than the
// SyncKey, so the two never look alike.
type keyBase struct {
	k1, k2, k3, k11, k13, k201, k1000, k1001 int64
}

func newKeyBase(now time.Time) keyBase {
	r := func() int64 { return 600_000_000 + randomInt63n(100_000_000) }
	return keyBase{
		k1: r(), k2: r(), k3: r(), k11: r(), k13: r(),
		k201:  now.Unix(),
		k1000: now.Unix() - 3600 - randomInt63n(86400),
		k1001: now.Unix() - 7200 - randomInt63n(86400),
	}
}

func (b keyBase) syncKey(pos int) wechat.SyncKey {
	p := int64(pos)
	return wechat.SyncKey{Count: 4, List: []wechat.SyncKeyItem{
		{Key: 1, Val: b.k1 + p},
		{Key: 2, Val: b.k2 + p},
		{Key: 3, Val: b.k3 + p},
		{Key: 1000, Val: b.k1000 + p},
	}}
}

func (b keyBase) checkKey(pos int) wechat.SyncKey {
	p := int64(pos)
	return wechat.SyncKey{Count: 8, List: []wechat.SyncKeyItem{
		{Key: 1, Val: b.k1 + p},
		{Key: 2, Val: b.k2 + p},
		{Key: 3, Val: b.k3 + p},
		{Key: 11, Val: b.k11 + p},
		{Key: 13, Val: b.k13},
		{Key: 201, Val: b.k201 + p},
		{Key: 1000, Val: b.k1000 + p},
		{Key: 1001, Val: b.k1001 + p},
	}}
}

// keyClass is what a key presented by a client turned out to be.
type keyClass int

const (
	keyUnknown keyClass = iota
	keySync
	keyCheck
)

// classify finds the position a key names and whether it is a SyncKey or
// a SyncCheckKey that this account issued.
func (a *account) classify(k wechat.SyncKey) (int, keyClass) {
	if len(k.List) == 0 || k.List[0].Key != 1 || k.Count != len(k.List) {
		return 0, keyUnknown
	}
	pos := int(k.List[0].Val - a.keys.k1)
	if pos < 0 || pos > len(a.log) {
		return 0, keyUnknown
	}
	switch {
	case a.syncIssued[pos] && slices.Equal(k.List, a.keys.syncKey(pos).List):
		return pos, keySync
	case a.chkIssued[pos] && slices.Equal(k.List, a.keys.checkKey(pos).List):
		return pos, keyCheck
	}
	return 0, keyUnknown
}

func (a *account) issueSyncKey(pos int) wechat.SyncKey {
	a.syncIssued[pos] = true
	return a.keys.syncKey(pos)
}

func (a *account) issueCheckKey(pos int) wechat.SyncKey {
	a.chkIssued[pos] = true
	return a.keys.checkKey(pos)
}
