package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taxiexam/internal/notify"
	"taxiexam/internal/notify/notifydb"
	"taxiexam/internal/notify/notifykv"
	"taxiexam/internal/notify/providers"
	"taxiexam/internal/platform/clock"
	"taxiexam/internal/platform/testenv"
	"taxiexam/internal/wiring/schema"
)

// timedSMS wraps the log provider and notes when each message reached it.
type timedSMS struct {
	inner notify.SMSProvider
	mu    sync.Mutex
	at    map[string]time.Time
	done  chan struct{}
	want  int
}

func (p *timedSMS) SendSMS(ctx context.Context, r notify.SMSRequest) (string, error) {
	ref, err := p.inner.SendSMS(ctx, r)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	if _, ok := p.at[r.IdempotencyKey]; !ok {
		p.at[r.IdempotencyKey] = time.Now()
		if len(p.at) == p.want {
			close(p.done)
		}
	}
	p.mu.Unlock()
	return ref, nil
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkPipeline measures the whole queue on this machine with the
// configured MariaDB (or SQLite with TEST_DB=sqlite) and Redis: 10,000
// business transactions each write one row of their own and enqueue one
// SMS in the same transaction; the relay and the workers (one node's worth:
// the production defaults) deliver them to the log provider.
//
//	go test ./internal/notify -run '^$' -bench Pipeline -benchtime 1x
//
// flood: all producers as fast as they can (throughput).
// rate2000: producers paced at 2,000 messages/s (latency at the target load).
// drain: 10,000 messages already committed, then the relay and workers
// start: the queue's own capacity, without the producers' transactions
// competing for the same two cores (latency is not meaningful there).
//
// Reported: msgs/s end to end (first enqueue to last delivery), end-to-end
// latency p50/p99 (commit of the business transaction to the provider
// call), and the time the outbox write adds inside the business
// transaction, p50/p99.
func BenchmarkPipeline(b *testing.B) {
	for _, mode := range []struct {
		name  string
		rate  int  // messages per second; 0 = flood
		drain bool // enqueue everything first, then start the relay and workers
	}{{"flood", 0, false}, {"rate2000", 2000, false}, {"drain", 0, true}} {
		b.Run(mode.name, func(b *testing.B) {
			for range b.N {
				runPipeline(b, 10_000, mode.rate, mode.drain)
			}
		})
	}
}

// retryCounter counts sqldb.InTx's "transaction retried" warnings (a
// deadlock or lock wait that the retry absorbed) while the bench runs.
type retryCounter struct {
	slog.Handler
	n *atomic.Int64
}

func (h retryCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "transaction retried" {
		h.n.Add(1)
	}
	return nil
}

func runPipeline(b *testing.B, n, rate int, drain bool) {
	var retried atomic.Int64
	prevLog := slog.Default()
	slog.SetDefault(slog.New(retryCounter{Handler: slog.NewTextHandler(io.Discard, nil), n: &retried}))
	defer slog.SetDefault(prevLog)
	db := testenv.DB(b, schema.All())
	r := testenv.Redis(b)
	p := testenv.Protector(b)
	ctx := context.Background()
	if err := db.Conn(ctx).Exec("CREATE TABLE bench_business (id BIGINT PRIMARY KEY, v VARCHAR(64) NOT NULL)").Error; err != nil {
		b.Fatal(err)
	}
	store := notifydb.New(db, p)
	queue := notifykv.New(r)
	outbox := notify.NewOutbox(store, clock.System{}, notify.QuietHours{})
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	sms := &timedSMS{inner: providers.LogSMS{Log: discard}, at: map[string]time.Time{}, done: make(chan struct{}), want: n}
	cfg := notify.Config{} // production defaults (relay every 100 ms when idle, batches of 200, 2 consumers per topic)
	relay := notify.NewRelay(store, queue, clock.System{}, cfg, nil, discard)
	w := notify.NewWorker(notify.WorkerDeps{Store: store, Queue: queue, Tx: db, Clock: clock.System{}, Config: cfg, SMS: sms, Outbox: outbox, Log: discard})
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	startQueue := func() {
		wg.Add(2)
		go func() { defer wg.Done(); _ = relay.Run(rctx) }()
		go func() { defer wg.Done(); _ = w.Run(rctx) }()
	}
	if !drain {
		startQueue()
	}
	defer func() { stop(); wg.Wait() }()

	const producers = 64
	committed := make([]time.Time, n+1) // by business id
	writeCost := make([]time.Duration, n+1)
	ids := make([]int64, n+1) // business id -> outbox id
	var next atomic.Int64
	var errs atomic.Int64
	start := time.Now()
	var pg sync.WaitGroup
	for range producers {
		pg.Add(1)
		go func() {
			defer pg.Done()
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				if rate > 0 {
					if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
						time.Sleep(d)
					}
				}
				err := db.InTx(ctx, func(ctx context.Context) error {
					if err := db.Conn(ctx).Exec("INSERT INTO bench_business (id, v) VALUES (?, ?)", i, "application submitted").Error; err != nil {
						return err
					}
					t0 := time.Now()
					id, err := outbox.EnqueueSMS(ctx, notify.SMS{Phone: fmt.Sprintf("139%08d", i), Template: notify.TplApplicationReceived,
						Params: map[string]string{"name": "张三"}, DedupeKey: fmt.Sprintf("bench:%d", i), Urgent: true})
					writeCost[i] = time.Since(t0)
					ids[i] = id
					return err
				})
				if err != nil {
					errs.Add(1)
					continue
				}
				committed[i] = time.Now()
			}
		}()
	}
	pg.Wait()
	enqueued := time.Since(start)
	fmt.Fprintf(os.Stdout, "notify pipeline (%s, rate %s): business transactions: %d committed, %d failed, %d retries after a deadlock or lock wait\n",
		testenv.Driver(b), rateName(rate), n-int(errs.Load()), errs.Load(), retried.Load())
	if errs.Load() > 0 {
		b.Fatalf("%d business transactions failed", errs.Load())
	}
	if drain {
		start = time.Now()
		startQueue()
	}
	select {
	case <-sms.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d delivered", len(sms.at), n)
	}
	total := time.Since(start)

	var lat, cost []time.Duration
	var last time.Time
	sms.mu.Lock()
	for i := 1; i <= n; i++ {
		at := sms.at[notify.IdempotencyKey(ids[i])]
		lat = append(lat, at.Sub(committed[i]))
		cost = append(cost, writeCost[i])
		if at.After(last) {
			last = at
		}
	}
	sms.mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Slice(cost, func(i, j int) bool { return cost[i] < cost[j] })
	throughput := float64(n) / last.Sub(start).Seconds()
	b.ReportMetric(throughput, "msgs/s")
	if drain {
		fmt.Fprintf(os.Stdout, "notify pipeline (%s, drain): %d committed messages relayed and delivered in %s: %.0f msgs/s\n",
			testenv.Driver(b), n, last.Sub(start).Round(time.Millisecond), throughput)
		return
	}
	b.ReportMetric(ms(pct(lat, 0.50)), "e2e_p50_ms")
	b.ReportMetric(ms(pct(lat, 0.99)), "e2e_p99_ms")
	b.ReportMetric(ms(pct(cost, 0.50)), "outbox_write_p50_ms")
	b.ReportMetric(ms(pct(cost, 0.99)), "outbox_write_p99_ms")
	fmt.Fprintf(os.Stdout, "notify pipeline (%s, rate %s): %d messages in %s (enqueued in %s): %.0f msgs/s end to end; latency p50 %.1f ms p99 %.1f ms; outbox write in the business tx p50 %.3f ms p99 %.3f ms\n",
		testenv.Driver(b), rateName(rate), n, total.Round(time.Millisecond), enqueued.Round(time.Millisecond), throughput,
		ms(pct(lat, 0.50)), ms(pct(lat, 0.99)), ms(pct(cost, 0.50)), ms(pct(cost, 0.99)))
}

func rateName(r int) string {
	if r == 0 {
		return "flood"
	}
	return fmt.Sprintf("%d/s", r)
}

// BenchmarkOutboxWrite measures what the outbox adds to one business
// transaction, without the pipeline running: 2,000 transactions that write
// a business row alone, then 2,000 that also enqueue an SMS; it reports
// the EnqueueSMS call's p50/p99 and both transactions' p50/p99.
//
//	go test ./internal/notify -run '^$' -bench OutboxWrite -benchtime 1x
func BenchmarkOutboxWrite(b *testing.B) {
	for range b.N {
		db := testenv.DB(b, schema.All())
		ctx := context.Background()
		if err := db.Conn(ctx).Exec("CREATE TABLE bench_business (id BIGINT PRIMARY KEY, v VARCHAR(64) NOT NULL)").Error; err != nil {
			b.Fatal(err)
		}
		outbox := notify.NewOutbox(notifydb.New(db, testenv.Protector(b)), clock.System{}, notify.QuietHours{})
		const n = 2000
		var plain, with, cost []time.Duration
		for i := 1; i <= 2*n; i++ {
			enqueue := i > n
			t0 := time.Now()
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.Conn(ctx).Exec("INSERT INTO bench_business (id, v) VALUES (?, ?)", i, "application submitted").Error; err != nil {
					return err
				}
				if !enqueue {
					return nil
				}
				t1 := time.Now()
				_, err := outbox.EnqueueSMS(ctx, notify.SMS{Phone: fmt.Sprintf("139%08d", i), Template: notify.TplApplicationReceived,
					Params: map[string]string{"name": "张三"}, DedupeKey: fmt.Sprintf("bench:%d", i)})
				cost = append(cost, time.Since(t1))
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if enqueue {
				with = append(with, time.Since(t0))
			} else {
				plain = append(plain, time.Since(t0))
			}
		}
		for _, d := range [][]time.Duration{plain, with, cost} {
			sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		}
		b.ReportMetric(ms(pct(cost, 0.50)), "outbox_write_p50_ms")
		b.ReportMetric(ms(pct(cost, 0.99)), "outbox_write_p99_ms")
		fmt.Fprintf(os.Stdout, "outbox write (%s, one transaction at a time): EnqueueSMS p50 %.3f ms p99 %.3f ms; business tx alone p50 %.3f ms p99 %.3f ms, with the outbox p50 %.3f ms p99 %.3f ms\n",
			testenv.Driver(b), ms(pct(cost, 0.50)), ms(pct(cost, 0.99)), ms(pct(plain, 0.50)), ms(pct(plain, 0.99)), ms(pct(with, 0.50)), ms(pct(with, 0.99)))
	}
}
