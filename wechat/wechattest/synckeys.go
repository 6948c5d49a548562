package wechattest

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// keyBase holds the account's random base value of each sync key. A key
// names a position in the event log: every value is its base plus the
// position (but key 13, which stays at its base). The SyncCheckKey has more
// keys (11, 13, 201, 1001) than the SyncKey, so the two never look alike.
type keyBase map[int]int64

func newKeyBase(now time.Time) keyBase {
	r := func() int64 { return 600_000_000 + randomInt63n(100_000_000) }
	return keyBase{
		1: r(), 2: r(), 3: r(), 11: r(), 13: r(),
		201:  now.Unix(),
		1000: now.Unix() - 3600 - randomInt63n(86400),
		1001: now.Unix() - 7200 - randomInt63n(86400),
	}
}

func (b keyBase) syncKey(pos int) syncKey { return b.key(pos, 1, 2, 3, 1000) }

func (b keyBase) checkKey(pos int) syncKey {
	return b.key(pos, 1, 2, 3, 11, 13, 201, 1000, 1001)
}

func (b keyBase) key(pos int, keys ...int) syncKey {
	list := make([]syncKeyItem, len(keys))
	for i, k := range keys {
		list[i] = syncKeyItem{Key: k, Val: b[k]}
		if k != 13 {
			list[i].Val += int64(pos)
		}
	}
	return syncKey{Count: len(list), List: list}
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
func (a *account) classify(k syncKey) (int, keyClass) {
	if len(k.List) == 0 || k.List[0].Key != 1 || k.Count != len(k.List) {
		return 0, keyUnknown
	}
	pos := int(k.List[0].Val - a.keys[1])
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

func (a *account) issueSyncKey(pos int) syncKey {
	a.syncIssued[pos] = true
	return a.keys.syncKey(pos)
}

func (a *account) issueCheckKey(pos int) syncKey {
	a.chkIssued[pos] = true
	return a.keys.checkKey(pos)
}

// parseCheckKey parses synccheck's synckey parameter, Key_Val pairs
// joined by '|' (reference §4.1).
func parseCheckKey(s string) (syncKey, bool) {
	if s == "" {
		return syncKey{}, false
	}
	k := syncKey{}
	for _, pair := range strings.Split(s, "|") {
		key, val, ok := strings.Cut(pair, "_")
		ki, err1 := strconv.Atoi(key)
		vi, err2 := strconv.ParseInt(val, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return syncKey{}, false
		}
		k.List = append(k.List, syncKeyItem{Key: ki, Val: vi})
	}
	k.Count = len(k.List)
	return k, true
}
