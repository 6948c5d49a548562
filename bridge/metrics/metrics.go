// Package metrics is wxbridge's Prometheus instrumentation: a registry that
// the connector owns (never the default one), the counters and histograms
// the bridge updates as it works, the figures read at scrape time (logins
// by bridge state, the inbox, the memory C code holds), and the listener
// that serves /metrics.
//
// Every label has a small fixed set of values (labels.go). The series of
// each counter are created up front, so that a rate or an alert sees 0
// rather than nothing before the first event, and the bridge's hot paths
// only add to a counter they index by number: no map lookup, no
// allocation. A nil *Metrics records nothing.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"
)

// Namespace prefixes every metric of the bridge.
const Namespace = "wxbridge"

// Metrics are the bridge's metrics and the registry that holds them.
type Metrics struct {
	reg *prometheus.Registry
	log zerolog.Logger

	// messages is indexed by direction, kind and outcome; combinations that
	// cannot happen are nil.
	messages     [numDirections][numKinds][numOutcomes]prometheus.Counter
	failures     [numReasons]prometheus.Counter
	mediaBytes   [numDirections]prometheus.Counter
	identities   [numIdentityOutcomes]prometheus.Counter
	syncDuration [numSyncEndpoints]prometheus.Observer
	sendDuration prometheus.Observer
}

// New makes the metrics and registers them, with the Go runtime's and the
// process's, in a new registry. src supplies what is read at scrape time;
// log receives trouble reading it.
func New(src Sources, log zerolog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	messages := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "messages_total",
		Help: "Messages by direction, kind and outcome (ok, failed, skipped, dropped, rejected). " +
			"A WeChat message that fails stays in the inbox and is tried again, so it may count as failed several times.",
	}, []string{"direction", "kind", "outcome"})
	for d := range numDirections {
		for _, k := range kindsOf(d) {
			for _, o := range outcomesOf(d, k) {
				m.messages[d][k][o] = messages.WithLabelValues(d.String(), k.String(), o.String())
			}
		}
	}
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "failures_total",
		Help: "Failures by cause: rate_limited (WeChat answered 1205), session_lost (WeChat ended a session), " +
			"homeserver (a Matrix request failed), too_large (an attachment above max_media_size), other.",
	}, []string{"reason"})
	for r := range numReasons {
		m.failures[r] = failures.WithLabelValues(r.String())
	}
	media := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "media_bytes_total",
		Help: "Bytes of attachments downloaded from WeChat (wechat_to_matrix) and uploaded to WeChat (matrix_to_wechat).",
	}, []string{"direction"})
	for d := range numDirections {
		m.mediaBytes[d] = media.WithLabelValues(d.String())
	}
	identities := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "identity_resolutions_total",
		Help: "Session UserNames mapped to a permanent identity (PUID), by how they were matched; " +
			"ambiguous is a new identity although stored ones fit (see the identities command).",
	}, []string{"outcome"})
	for o := range numIdentityOutcomes {
		m.identities[o] = identities.WithLabelValues(o.String())
	}
	syncDur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "wechat_sync_duration_seconds",
		Help: "Duration of the sync loop's calls to WeChat: synccheck (a long poll, held up to about 25 s) and webwxsync.",
		// synccheck returns at once when there is news, else after WeChat's hold.
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 40},
	}, []string{"endpoint"})
	for e := range numSyncEndpoints {
		m.syncDuration[e] = syncDur.WithLabelValues(e.String())
	}
	sendDur := prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "wechat_send_duration_seconds",
		Help: "Duration of each call that sends a message to WeChat (text, image, video, file, sticker), " +
			"without the pacing of send_interval, uploads or waits between retries.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	})
	m.sendDuration = sendDur
	m.reg.MustRegister(
		messages, failures, media, identities, syncDur, sendDur,
		newScrapeCollector(src, log),
		newCMemCollector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry is the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Message counts a message. Combinations that cannot happen (see kindsOf
// and outcomesOf) are not counted.
func (m *Metrics) Message(d Direction, k Kind, o Outcome) {
	if m == nil || d >= numDirections || k >= numKinds || o >= numOutcomes {
		return
	}
	if c := m.messages[d][k][o]; c != nil {
		c.Inc()
	}
}

// Failure counts a failure.
func (m *Metrics) Failure(r Reason) {
	if m == nil || r >= numReasons {
		return
	}
	m.failures[r].Inc()
}

// MediaBytes counts the bytes of an attachment.
func (m *Metrics) MediaBytes(d Direction, n int) {
	if m == nil || d >= numDirections || n <= 0 {
		return
	}
	m.mediaBytes[d].Add(float64(n))
}

// Identities counts n UserNames resolved the same way.
func (m *Metrics) Identities(o IdentityOutcome, n int) {
	if m == nil || o >= numIdentityOutcomes || n <= 0 {
		return
	}
	m.identities[o].Add(float64(n))
}

// SyncCall records how long a call of the sync loop took.
func (m *Metrics) SyncCall(e SyncEndpoint, took time.Duration) {
	if m == nil || e >= numSyncEndpoints {
		return
	}
	m.syncDuration[e].Observe(took.Seconds())
}

// SendCall records how long a send call to WeChat took.
func (m *Metrics) SendCall(took time.Duration) {
	if m == nil {
		return
	}
	m.sendDuration.Observe(took.Seconds())
}
