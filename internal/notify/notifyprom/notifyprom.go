// Package notifyprom exposes the queue to Prometheus: counters of what this
// node enqueued (relayed for the first time), sent, failed and gave up on,
// per topic, and, read from the database at most every StatsTTL however
// often it is scraped, the depth of each topic's queue and the age of its
// oldest due message.
package notifyprom

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"taxiexam/internal/notify"
)

// Metrics implements notify.Observer and prometheus.Collector.
type Metrics struct {
	enqueued, sent, failed, dead *prometheus.CounterVec

	stats     func(ctx context.Context) ([]notify.TopicStats, error)
	cache     statsCache
	oldestDue *prometheus.Desc
	depth     *prometheus.Desc
	up        *prometheus.Desc
}

// StatsTTL is how long one database read of the queue gauges serves
// scrapes: a scraper hammering /metrics costs the database nothing more.
const StatsTTL = 10 * time.Second

type statsCache struct {
	mu    sync.Mutex
	at    time.Time
	stats []notify.TopicStats
}

// read returns the cached stats, reading them again when older than StatsTTL.
func (c *statsCache) read(fetch func(ctx context.Context) ([]notify.TopicStats, error)) ([]notify.TopicStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < StatsTTL {
		return c.stats, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	stats, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	c.stats, c.at = stats, time.Now()
	return stats, nil
}

// New builds the metrics; stats (notify.Service.Stats) is read at scrape
// time, at most once per StatsTTL.
func New(stats func(ctx context.Context) ([]notify.TopicStats, error)) *Metrics {
	c := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "examd", Subsystem: "notify", Name: name, Help: help}, []string{"topic"})
	}
	m := &Metrics{
		enqueued:  c("enqueued_total", "Messages committed to the outbox and relayed to Redis for the first time."),
		sent:      c("sent_total", "Messages the provider accepted."),
		failed:    c("failed_total", "Failed send attempts (each retry counts)."),
		dead:      c("dead_total", "Messages given up after the last attempt or a permanent error."),
		stats:     stats,
		oldestDue: prometheus.NewDesc("examd_notify_oldest_due_seconds", "Age of the oldest message that is due and neither sent nor dead.", []string{"topic"}, nil),
		depth:     prometheus.NewDesc("examd_notify_messages", "Outbox messages by status (pending = due now, scheduled = due later).", []string{"topic", "status"}, nil),
		up:        prometheus.NewDesc("examd_notify_stats_up", "1 when the queue statistics could be read at this scrape.", nil, nil),
	}
	for _, t := range notify.Topics { // show zeros before the first event
		m.enqueued.WithLabelValues(t)
		m.sent.WithLabelValues(t)
		m.failed.WithLabelValues(t)
		m.dead.WithLabelValues(t)
	}
	return m
}

func (m *Metrics) Enqueued(topic string, n int) { m.enqueued.WithLabelValues(topic).Add(float64(n)) }
func (m *Metrics) Sent(topic string)            { m.sent.WithLabelValues(topic).Inc() }
func (m *Metrics) Failed(topic string)          { m.failed.WithLabelValues(topic).Inc() }
func (m *Metrics) Dead(topic string)            { m.dead.WithLabelValues(topic).Inc() }

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.enqueued.Describe(ch)
	m.sent.Describe(ch)
	m.failed.Describe(ch)
	m.dead.Describe(ch)
	ch <- m.oldestDue
	ch <- m.depth
	ch <- m.up
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.enqueued.Collect(ch)
	m.sent.Collect(ch)
	m.failed.Collect(ch)
	m.dead.Collect(ch)
	if m.stats == nil {
		return
	}
	stats, err := m.cache.read(m.stats)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(m.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.up, prometheus.GaugeValue, 1)
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(m.oldestDue, prometheus.GaugeValue, s.OldestDue.Seconds(), s.Topic)
		for status, n := range map[string]int64{"pending": s.Pending, "scheduled": s.Scheduled, "queued": s.Queued, "sending": s.Sending, "sent": s.Sent, "dead": s.Dead} {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(n), s.Topic, status)
		}
	}
}
