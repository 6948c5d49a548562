package bridge

import (
	"runtime"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
)

func TestSetsMemProfileRate(t *testing.T) {
	tests := []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"memprofilerate=524288", true},
		{"madvdontneed=1, memprofilerate=1", true},
		{"memprofilerate=0,gctrace=1", true},
		{"gctrace=1", false},
		{"xmemprofilerate=1", false},
		{"memprofilerate", false},
	}
	for _, tt := range tests {
		t.Run(tt.godebug, func(t *testing.T) {
			assert.Equal(t, tt.want, setsMemProfileRate(tt.godebug))
		})
	}
}

// TestTurnOffHeapProfiler: off by default, left alone when GODEBUG asks
// for a rate.
func TestTurnOffHeapProfiler(t *testing.T) {
	before := runtime.MemProfileRate
	t.Cleanup(func() { runtime.MemProfileRate = before })
	log := zerolog.Nop()

	runtime.MemProfileRate = 4096
	t.Setenv("GODEBUG", "")
	turnOffHeapProfiler(&log)
	assert.Equal(t, 0, runtime.MemProfileRate, "off by default")

	runtime.MemProfileRate = 4096
	t.Setenv("GODEBUG", "memprofilerate=4096")
	turnOffHeapProfiler(&log)
	assert.Equal(t, 4096, runtime.MemProfileRate, "as GODEBUG sets it")
}
