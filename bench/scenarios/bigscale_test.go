package scenarios

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogCounterReadsOnlyWhatWasAppended(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bridge.log")
	require.NoError(t, os.WriteFile(path, []byte("Matrix room created\nother\nMatrix room cre"), 0o600))
	lc := &logCounter{path: path, substr: []byte("Matrix room created")}
	n, err := lc.count()
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the unfinished line waits")

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("ated\nMatrix room created\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	n, err = lc.count()
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the finished line and a new one, each once")
	n, err = lc.count()
	require.NoError(t, err)
	assert.Equal(t, 3, n, "nothing new")
}

func TestScaleReportProjects(t *testing.T) {
	// The first readings are steep (ghosts arriving), the second half
	// rises 0.1 MB per room from 60 MB at 50 rooms.
	var points []scalePoint
	for rooms := 0; rooms <= 100; rooms += 10 {
		mbs := 40 + 0.4*float64(rooms)
		if rooms >= 50 {
			mbs = 60 + 0.1*float64(rooms-50)
		}
		points = append(points, scalePoint{rooms: rooms, rss: int64(mbs * 1e6), heap: int64(mbs * 0.3e6)})
	}
	res := begin("big account", "")
	scaleReport(res, points, 501)
	require.Len(t, res.Figures, 1)
	assert.InDelta(t, 0.1, res.Raw["rss_mb_per_room"], 1e-6)
	// 65 MB at 100 rooms, plus 401 rooms × 0.1 MB.
	assert.InDelta(t, 65+40.1, res.Raw["projected_rss_mb"], 1e-6)
	assert.Contains(t, res.Figures[0].Compare, "105.1 MB projected at 501 rooms")
	require.Len(t, res.Plots, 1)
	assert.Len(t, res.Plots[0].Series[0].X, len(points))
}
