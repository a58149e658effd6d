package notifyprom_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifyprom"
)

// TestQueueGaugesAreCached: many scrapes in a row read the database once.
func TestQueueGaugesAreCached(t *testing.T) {
	var reads atomic.Int32
	m := notifyprom.New(func(context.Context) ([]notify.TopicStats, error) {
		reads.Add(1)
		return []notify.TopicStats{{Topic: notify.TopicSMS, Pending: 3}}, nil
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	for i := 0; i < 20; i++ {
		fams, err := reg.Gather()
		found := false
		for _, f := range fams {
			found = found || f.GetName() == "examd_notify_messages"
		}
		if err != nil || !found {
			t.Fatalf("scrape %d: queue gauges missing, %v", i, err)
		}
	}
	if reads.Load() != 1 {
		t.Fatalf("20 scrapes read the queue %d times", reads.Load())
	}
}
