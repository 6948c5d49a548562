package bridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRoomFeaturesFollowTheLimit(t *testing.T) {
	assert.Same(t, roomFeatures, roomFeaturesFor(maxFileSize), "the default limit uses the shared set")
	small := roomFeaturesFor(64 << 10)
	assert.NotEqual(t, roomFeatures.ID, small.ID, "another limit is another feature set")
	for kind, ff := range small.File {
		assert.Equal(t, int64(64<<10), ff.MaxSize, kind)
	}
	for kind, ff := range roomFeatures.File {
		assert.Equal(t, int64(maxFileSize), ff.MaxSize, "the shared set is unchanged: %s", kind)
	}
}
