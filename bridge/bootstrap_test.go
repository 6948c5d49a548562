package bridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wxbridge/wxbridge/wechat"
)

func TestRetryDelay(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{1, 2 * time.Second},
		{2, 4 * time.Second},
		{3, 8 * time.Second},
		{5, 32 * time.Second},
		{6, time.Minute},
		{100, time.Minute},
	} {
		assert.Equal(t, tc.want, retryDelay(tc.attempt), "attempt %d", tc.attempt)
	}
}

func TestInitHandoff(t *testing.T) {
	var h initHandoff
	assert.Nil(t, h.take("1"), "nothing kept")
	init := &wechat.InitResult{ChatSet: []string{"@@x"}}
	h.put("1", init)
	assert.Same(t, init, h.take("1"), "the login's webwxinit goes to its client")
	assert.Nil(t, h.take("1"), "and only once: a restart runs its own")
}
