package wechattest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wxbridge/wxbridge/wechat"
)

// TestRateLimitMatchesWhatUsersSaw: with the default limits, calls at the
// rates users reported (protocol reference §10.4) are refused where they
// were refused.
func TestRateLimitMatchesWhatUsersSaw(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		every    time.Duration
		calls    int // how many to try
		// allowed is the range the number of calls before the first
		// refusal must fall in; calls means none was refused.
		minAllowed, maxAllowed int
	}{
		{"texts 1 s apart go through", "webwxsendmsg", time.Second, 1000, 1000, 1000},
		{"texts 0.5 s apart refused after about 120", "webwxsendmsg", 500 * time.Millisecond, 1000, 115, 125},
		{"a burst is capped around 60", "webwxsendmsg", 0, 1000, 60, 60},
		{"images 1 s apart refused after 30 to 40", "webwxsendmsgimg", time.Second, 1000, 30, 40},
		{"files count as media", "webwxsendappmsg", time.Second, 1000, 30, 40},
		{"contact batches 1 s apart go through", "webwxbatchgetcontact", time.Second, 1000, 1000, 1000},
		{"a burst of contact batches is capped at 50", "webwxbatchgetcontact", 0, 1000, 50, 50},
		{"other endpoints are not limited", "webwxsync", 0, 1000, 1000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(RateLimit{})
			now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
			allowed := 0
			for range tt.calls {
				if !l.allow(tt.endpoint, now) {
					break
				}
				allowed++
				now = now.Add(tt.every)
			}
			assert.GreaterOrEqual(t, allowed, tt.minAllowed)
			assert.LessOrEqual(t, allowed, tt.maxAllowed)
		})
	}
}

func TestRateLimitRefills(t *testing.T) {
	l := newLimiter(RateLimit{Send: Bucket{Burst: 2, Every: time.Minute}})
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	assert.True(t, l.allow("webwxsendmsg", now))
	assert.True(t, l.allow("webwxsendmsg", now))
	assert.False(t, l.allow("webwxsendmsg", now), "the burst is spent")
	assert.False(t, l.allow("webwxsendmsg", now.Add(59*time.Second)), "one more only after Every")
	assert.True(t, l.allow("webwxsendmsg", now.Add(time.Minute)))
	assert.False(t, l.allow("webwxsendmsg", now.Add(time.Minute)), "a refused call takes nothing, an allowed one takes its token")
	assert.True(t, l.allow("webwxsendmsg", now.Add(time.Hour)), "a long pause refills up to the burst")
	assert.True(t, l.allow("webwxsendmsg", now.Add(time.Hour)))
	assert.False(t, l.allow("webwxsendmsg", now.Add(time.Hour)), "never beyond the burst")

	off := newLimiter(RateLimit{Off: true, Send: Bucket{Burst: 1}})
	for range 100 {
		require.True(t, off.allow("webwxsendmsg", now))
	}
}

// TestRateLimitedSendIsNotDelivered: a send over the limit is answered 1205
// in the send answer's shape, is not delivered, and the same message
// (same ClientMsgId) goes through once the limit allows it again.
func TestRateLimitedSendIsNotDelivered(t *testing.T) {
	clock := NewClock(time.Now()) // the client's cookie jar reads the real time
	s, c, _ := loggedIn(t, Config{Now: clock.Now, RateLimit: RateLimit{Send: Bucket{Burst: 2, Every: 10 * time.Second}}})
	to := s.UserName("alice")
	for i := range 2 {
		out := c.sendText(to, "ok "+strconv.Itoa(i), "1700000000000000"+strconv.Itoa(i))
		require.Equal(t, 0, out.BaseResponse.Ret, out.BaseResponse.ErrMsg)
	}
	refused := c.sendText(to, "too soon", "17000000000000099")
	assert.Equal(t, wechat.RetTooFrequent, refused.BaseResponse.Ret)
	assert.Equal(t, "操作太频繁，请稍后再试。", refused.BaseResponse.ErrMsg)
	assert.Empty(t, refused.MsgID)
	assert.Equal(t, "17000000000000099", refused.LocalID, "the answer keeps the send answer's shape")
	assert.Len(t, s.Sent(), 2, "a refused message is not delivered")
	require.Len(t, s.Refusals(), 1)
	assert.Equal(t, "webwxsendmsg", s.Refusals()[0].Endpoint)
	assert.Empty(t, s.Violations(), "being refused is not a protocol violation")

	clock.Advance(10 * time.Second)
	again := c.sendText(to, "too soon", "17000000000000099")
	require.Equal(t, 0, again.BaseResponse.Ret, "the refused message may be sent again with its ClientMsgId")
	sent := s.Sent()
	require.Len(t, sent, 3)
	assert.Equal(t, "too soon", sent[2].Msg.Content)
}

func TestRateLimitedBatchGetContact(t *testing.T) {
	clock := NewClock(time.Now()) // the client's cookie jar reads the real time
	s, c, _ := loggedIn(t, Config{Now: clock.Now, RateLimit: RateLimit{Contacts: Bucket{Burst: 1, Every: time.Minute}}})
	item := wechat.BatchContactRequestItem{UserName: s.UserName("family")}
	first := batchGet(c, item)
	require.Equal(t, 0, first.BaseResponse.Ret)
	require.Len(t, first.ContactList, 1)
	refused := batchGet(c, item)
	assert.Equal(t, wechat.RetTooFrequent, refused.BaseResponse.Ret)
	assert.Empty(t, refused.ContactList)
	clock.Advance(time.Minute)
	assert.Len(t, batchGet(c, item).ContactList, 1)
}
