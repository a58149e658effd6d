package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"taxiexam/internal/platform/clock"
)

// Config tunes the relay and the workers. Zero fields take the defaults.
type Config struct {
	// MaxAttempts: after this many failed sends a message is dead.
	MaxAttempts int
	// BackoffBase doubles per failed attempt up to BackoffMax, with jitter.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// VisibilityTimeout is how long a worker may hold a message: its DB
	// lease, and the idle time after which another consumer reclaims the
	// stream entry (XAUTOCLAIM). Must exceed SendTimeout.
	VisibilityTimeout time.Duration
	// RequeueAfter is the lease of a queued row: when it ends and the
	// stream no longer holds the entry (Redis lost it), the row is queued again.
	RequeueAfter time.Duration
	// RelayInterval is the relay's poll period when nothing was due.
	RelayInterval time.Duration
	// SweepInterval is how often expired leases are checked.
	SweepInterval time.Duration
	// BatchSize bounds rows per relay step and entries per read.
	BatchSize int
	// Consumers per topic on this node; SendConcurrency provider calls in
	// flight per consumer; SendTimeout bounds one provider call.
	Consumers       int
	SendConcurrency int
	SendTimeout     time.Duration
	// Signature is the SMS signature (签名) registered with the carrier.
	Signature string
	Quiet     QuietHours
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	defInt(&c.MaxAttempts, 5)
	def(&c.BackoffBase, 5*time.Second)
	def(&c.BackoffMax, 30*time.Minute)
	def(&c.SendTimeout, 15*time.Second)
	def(&c.VisibilityTimeout, 2*c.SendTimeout)
	def(&c.RequeueAfter, 5*time.Minute)
	def(&c.RelayInterval, 100*time.Millisecond)
	def(&c.SweepInterval, 10*time.Second)
	defInt(&c.BatchSize, 200)
	defInt(&c.Consumers, 2)
	defInt(&c.SendConcurrency, 16)
	return c
}

// Backoff is the wait before attempt n+1 after n failures: base*2^(n-1),
// capped, with jitter in [d/2, d).
func (c Config) Backoff(failures int) time.Duration {
	c = c.withDefaults()
	d := c.BackoffBase
	for i := 1; i < failures && d < c.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, c.BackoffMax)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}

// Relay moves due outbox rows to the Redis streams and re-queues rows the
// streams lost. Every node runs one; rows are claimed in the database, so
// two relays never move the same row.
type Relay struct {
	store Store
	queue Queue
	clock clock.Clock
	cfg   Config
	obs   Observer
	log   *slog.Logger
}

// NewRelay wires a relay.
func NewRelay(store Store, queue Queue, clk clock.Clock, cfg Config, obs Observer, log *slog.Logger) *Relay {
	if obs == nil {
		obs = nopObserver{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Relay{store: store, queue: queue, clock: clk, cfg: cfg.withDefaults(), obs: obs, log: log}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	nextSweep := time.Time{}
	for {
		if time.Now().After(nextSweep) {
			if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
				r.log.WarnContext(ctx, "notify sweep failed", "err", err)
			}
			nextSweep = time.Now().Add(r.cfg.SweepInterval)
		}
		n, err := r.RelayOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "notify relay failed", "err", err)
		}
		if n >= r.cfg.BatchSize {
			continue // more may be due right now
		}
		wait := r.cfg.RelayInterval
		if err != nil {
			wait = max(wait, time.Second)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// RelayOnce moves one batch of due rows and returns how many.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	refs, err := r.store.ClaimDue(ctx, r.clock.Now().UTC(), r.cfg.BatchSize, r.cfg.RequeueAfter)
	if err != nil || len(refs) == 0 {
		return 0, err
	}
	byTopic := map[string][]Ref{}
	for _, ref := range refs {
		byTopic[ref.Topic] = append(byTopic[ref.Topic], ref)
	}
	// The rows are already marked queued; a failure from here on leaves
	// them to be released now or, if this process dies, re-queued by the
	// sweep when their lease ends. Nothing is lost either way.
	streamIDs := make(map[int64]string, len(refs))
	var errs []error
	for topic, list := range byTopic {
		ids := make([]int64, len(list))
		first := 0
		for i, ref := range list {
			ids[i] = ref.ID
			if ref.FirstTime {
				first++
			}
		}
		entries, err := r.queue.Add(ctx, topic, ids)
		if err != nil {
			errs = append(errs, err)
			if rerr := r.store.Release(context.WithoutCancel(ctx), ids); rerr != nil {
				errs = append(errs, rerr)
			}
			continue
		}
		for i, id := range ids {
			streamIDs[id] = entries[i]
		}
		r.obs.Enqueued(topic, first)
	}
	if len(streamIDs) > 0 {
		if err := r.store.SetStreamIDs(context.WithoutCancel(ctx), streamIDs); err != nil {
			errs = append(errs, err)
		}
	}
	return len(streamIDs), errors.Join(errs...)
}

// Sweep finds queued or sending rows whose lease ended. If their stream
// entry still exists, a queued row's lease is renewed (the entry waits
// for a consumer) and a sending row is left to XAUTOCLAIM; if the stream lost it (Redis restarted
// empty, or the relay died between claim and XADD), the row is made
// pending again and the relay queues it anew. Returns rows re-queued.
func (r *Relay) Sweep(ctx context.Context) (int, error) {
	now := r.clock.Now().UTC()
	refs, err := r.store.ExpiredLeases(ctx, now, 1000)
	if err != nil || len(refs) == 0 {
		return 0, err
	}
	var lost, alive []int64
	for _, ref := range refs {
		ok := false
		if ref.StreamID != "" {
			if ok, err = r.queue.Alive(ctx, ref.Topic, ref.StreamID); err != nil {
				return 0, err
			}
		}
		switch {
		case ok && ref.Status == StatusQueued:
			alive = append(alive, ref.ID)
		case ok:
			// A sending row whose entry lives: its consumer died and
			// XAUTOCLAIM hands the entry to another one, which may claim
			// the row because its lease ended. Nothing to do here.
		default:
			lost = append(lost, ref.ID)
		}
	}
	if len(alive) > 0 {
		if err := r.store.ExtendLease(ctx, alive, now, now.Add(r.cfg.RequeueAfter)); err != nil {
			return 0, err
		}
	}
	if len(lost) == 0 {
		return 0, nil
	}
	n, err := r.store.Requeue(ctx, lost, now)
	if n > 0 {
		r.log.WarnContext(ctx, "notify: re-queued messages the stream lost", "count", n)
	}
	return int(n), err
}
