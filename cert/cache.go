package cert

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"taxiexam/internal/platform/pii"
)

// The public verify route is the one anybody can call at any rate, so a
// node answers it from memory:
//
//   - verified tokens: a token that verified once verifies forever (old
//     public keys are kept), so its claims are remembered, bounded in number;
//   - every certificate's verify fields (kind, version, dates, status,
//     masked ID number, licence id; no name): an index each node loads at
//     start and keeps current by reading the rows changed since its last
//     read every second (RunVerifyIndex), like the question bank's snapshot.
//     A node forgets an entry as soon as its own change commits; another
//     node's revocation shows within about a second. A certificate the index
//     has not seen yet is read from SQL. A city issues a few thousand
//     certificates a year; ten years of them is ~20 MB per node.
//
// The per-address limit is counted in each node's memory (NodeLimiter), so
// with N nodes an address gets at most N times the limit; the proxy in front
// limits globally if that matters.

const maxCachedTokens = 100_000

type tokenCache struct {
	mu sync.RWMutex
	m  map[string]Claims
}

func (c *tokenCache) get(token string) (Claims, bool) {
	c.mu.RLock()
	cl, ok := c.m[token]
	c.mu.RUnlock()
	return cl, ok
}

func (c *tokenCache) put(token string, cl Claims) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]Claims, 1024) // start over rather than track ages: re-verifying is cheap
	}
	c.m[token] = cl
	c.mu.Unlock()
}

// certIndex maps certificate ids to their verify fields.
type certIndex struct {
	mu     sync.RWMutex
	m      map[int64]Certificate
	cursor time.Time // updated_at of the newest row read
}

func (x *certIndex) get(id int64) (Certificate, bool) {
	x.mu.RLock()
	c, ok := x.m[id]
	x.mu.RUnlock()
	return c, ok
}

func (x *certIndex) put(list ...Certificate) {
	x.mu.Lock()
	if x.m == nil {
		x.m = make(map[int64]Certificate, len(list))
	}
	for _, c := range list {
		// Keep only what the verify page shows or compares: no name, and
		// the ID number masked (masking it again in Verify gives the same).
		c.HolderName, c.IDNumber = "", pii.MaskIDNumber(c.IDNumber)
		x.m[c.ID] = c
	}
	x.mu.Unlock()
}

func (x *certIndex) forget(ids ...int64) {
	x.mu.Lock()
	for _, id := range ids {
		delete(x.m, id)
	}
	x.mu.Unlock()
}

// indexOverlap re-reads rows changed this long before the newest one seen:
// a transaction that stamped its rows earlier but committed later than
// another is still picked up.
const indexOverlap = 2 * time.Second

const indexBatch = 1000

// syncIndex reads the certificates changed since the last read.
func (s *Service) syncIndex(ctx context.Context) error {
	s.index.mu.RLock()
	since := s.index.cursor
	s.index.mu.RUnlock()
	if !since.IsZero() {
		since = since.Add(-indexOverlap)
	}
	var newest time.Time
	var afterID int64
	for {
		page, err := s.Store.CertificatesChangedSince(ctx, since, afterID, indexBatch)
		if err != nil {
			return err
		}
		s.index.put(page...)
		for _, c := range page {
			if c.UpdatedAt.After(newest) {
				newest = c.UpdatedAt
			}
		}
		if len(page) < indexBatch {
			break
		}
		afterID = page[len(page)-1].ID
	}
	s.index.mu.Lock()
	if newest.After(s.index.cursor) {
		s.index.cursor = newest
	}
	s.index.mu.Unlock()
	return nil
}

// RunVerifyIndex loads the verify index and keeps it current until ctx
// ends (a worker on every node).
func (s *Service) RunVerifyIndex(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.syncIndex(ctx); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "certificate verify index", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// NodeLimiter is an in-memory fixed-window counter per key (Limiter), for
// the public verify route: no round trip to Redis per verification.
type NodeLimiter struct {
	mu     sync.Mutex
	window time.Time
	counts map[string]int
	now    func() time.Time
}

// NewNodeLimiter returns an empty limiter.
func NewNodeLimiter() *NodeLimiter { return &NodeLimiter{counts: map[string]int{}, now: time.Now} }

// Allow implements Limiter. Windows are aligned to multiples of window.
func (l *NodeLimiter) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	now := l.now()
	start := now.Truncate(window)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !start.Equal(l.window) {
		l.window, l.counts = start, make(map[string]int, len(l.counts))
	}
	if l.counts[key] >= limit {
		return false, start.Add(window).Sub(now), nil
	}
	l.counts[key]++
	return true, 0, nil
}
