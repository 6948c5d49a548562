package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// scrapeTimeout bounds the reads a scrape makes (the inbox query).
const scrapeTimeout = 5 * time.Second

// Sources supply the figures that are read when Prometheus scrapes, rather
// than counted as things happen. A nil function leaves its metrics out.
type Sources struct {
	// LoginStates calls count once per login with the bridge state event
	// it is in (CONNECTED, BAD_CREDENTIALS, ...).
	LoginStates func(count func(state string))
	// Inbox returns how many WeChat messages wait in the durable inbox and
	// when the oldest of them was stored (zero when there is none).
	Inbox func(ctx context.Context) (depth int, oldest time.Time, err error)
}

// scrapeCollector reads Sources at each scrape.
type scrapeCollector struct {
	src Sources
	log zerolog.Logger

	logins      *prometheus.Desc
	inboxDepth  *prometheus.Desc
	inboxOldest *prometheus.Desc
}

func newScrapeCollector(src Sources, log zerolog.Logger) *scrapeCollector {
	return &scrapeCollector{
		src: src,
		log: log,
		logins: prometheus.NewDesc(Namespace+"_logins",
			"Logins by the bridge state they are in (CONNECTED, TRANSIENT_DISCONNECT, BAD_CREDENTIALS, ...).",
			[]string{"state"}, nil),
		inboxDepth: prometheus.NewDesc(Namespace+"_inbox_items",
			"WeChat messages stored in the durable inbox and not yet bridged to Matrix, all logins together.",
			nil, nil),
		inboxOldest: prometheus.NewDesc(Namespace+"_inbox_oldest_age_seconds",
			"Age of the oldest message waiting in the inbox, 0 when it is empty.",
			nil, nil),
	}
}

func (sc *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- sc.logins
	ch <- sc.inboxDepth
	ch <- sc.inboxOldest
}

func (sc *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	if sc.src.LoginStates != nil {
		var counts [len(loginStates)]int
		sc.src.LoginStates(func(state string) {
			i := loginStateIndex(state)
			counts[i]++
		})
		for i, state := range loginStates {
			ch <- prometheus.MustNewConstMetric(sc.logins, prometheus.GaugeValue, float64(counts[i]), state)
		}
	}
	if sc.src.Inbox != nil {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		defer cancel()
		depth, oldest, err := sc.src.Inbox(ctx)
		if err != nil {
			// Left out of this scrape: absent() shows it.
			sc.log.Warn().Err(err).Msg("Failed to read the inbox for metrics")
			return
		}
		age := 0.0
		if depth > 0 && !oldest.IsZero() {
			age = max(time.Since(oldest).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(sc.inboxDepth, prometheus.GaugeValue, float64(depth))
		ch <- prometheus.MustNewConstMetric(sc.inboxOldest, prometheus.GaugeValue, age)
	}
}

// loginStateIndex is the index of a state in loginStates; states not
// listed count as UNKNOWN_ERROR.
func loginStateIndex(state string) int {
	unknown := 0
	for i, s := range loginStates {
		if s == state {
			return i
		}
		if s == "UNKNOWN_ERROR" {
			unknown = i
		}
	}
	return unknown
}
