package bridge

import (
	"os"
	"runtime"
	"strings"

	"github.com/rs/zerolog"
)

// This file turns Go's heap profiler off. At its default rate the runtime
// records the call stack of an allocation every 512 kB, in a table that
// keeps every stack it has seen for the life of the process; over hours
// of bridging that table and its 1.4 MB hash index are touched page by
// page, and RSS grows by a few MB before it levels (docs/performance.md,
// the soak). The profile is only readable through the provisioning API's
// debug endpoints, which are off by default, so the bridge spends that
// memory only when asked to: GODEBUG=memprofilerate=524288 in the
// bridge's environment turns the profiler back on.

// turnOffHeapProfiler sets the heap profiler's rate to 0 unless the
// environment's GODEBUG sets it.
func turnOffHeapProfiler(log *zerolog.Logger) {
	if setsMemProfileRate(os.Getenv("GODEBUG")) {
		log.Debug().Int("rate", runtime.MemProfileRate).Msg("Heap profiler left as GODEBUG sets it")
		return
	}
	runtime.MemProfileRate = 0
}

// setsMemProfileRate says whether a GODEBUG value sets memprofilerate.
func setsMemProfileRate(godebug string) bool {
	for _, kv := range strings.Split(godebug, ",") {
		if k, _, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k == "memprofilerate" {
			return true
		}
	}
	return false
}
