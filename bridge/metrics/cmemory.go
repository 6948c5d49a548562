package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wxbridge/wxbridge/bridge/cmem"
)

// cmemCollector reports the memory the process holds outside the Go
// runtime, which the Go and process collectors cannot split out of RSS:
// SQLite's allocations and glibc malloc's heap. Where cmem cannot read
// them (no cgo, not glibc) the series are left out.
type cmemCollector struct {
	sqlite *prometheus.Desc
	heap   *prometheus.Desc
}

func newCMemCollector() *cmemCollector {
	return &cmemCollector{
		sqlite: prometheus.NewDesc(Namespace+"_sqlite_memory_bytes",
			"Memory SQLite has allocated (sqlite3_memory_used): page caches, schemas and statements of every connection.",
			nil, nil),
		heap: prometheus.NewDesc(Namespace+"_c_heap_bytes",
			"The C allocator's heap (glibc malloc, all arenas): in_use by C code (SQLite), free: kept by malloc for reuse.",
			[]string{"state"}, nil),
	}
}

func (cc *cmemCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cc.sqlite
	ch <- cc.heap
}

func (cc *cmemCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok := cmem.Read()
	if st.SQLite >= 0 {
		ch <- prometheus.MustNewConstMetric(cc.sqlite, prometheus.GaugeValue, float64(st.SQLite))
	}
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(cc.heap, prometheus.GaugeValue, float64(st.HeapInUse), "in_use")
	ch <- prometheus.MustNewConstMetric(cc.heap, prometheus.GaugeValue, float64(st.HeapFree), "free")
}
