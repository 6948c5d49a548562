package metrics

import (
	"runtime"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
)

// TestCMemoryGauges: on Linux with cgo (how the bridge is built) a scrape
// shows malloc's heap, in use and free. SQLite is not linked into this
// test binary, so its gauge is left out rather than reported as 0.
func TestCMemoryGauges(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("C memory is read from glibc, on Linux only")
	}
	m := New(Sources{}, zerolog.Nop())
	assert.Greater(t, gaugeOrCounter(t, m, Namespace+"_c_heap_bytes", []string{"in_use"}), 0.0,
		"the Go runtime's cgo start-up allocates through malloc")
	assert.GreaterOrEqual(t, gaugeOrCounter(t, m, Namespace+"_c_heap_bytes", []string{"free"}), 0.0)
	families, err := m.reg.Gather()
	assert.NoError(t, err)
	for _, f := range families {
		assert.NotEqual(t, Namespace+"_sqlite_memory_bytes", f.GetName(), "no SQLite in this binary")
	}
}
