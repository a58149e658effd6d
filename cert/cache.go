package cert

import (
	"context"
	"sync"
	"time"
)

// The public verify route is the one anybody can call at any rate, so a
// node answers it from memory where it safely can:
//
//   - verified tokens: a token that verified once verifies forever (old
//     public keys are kept), so its claims are remembered, bounded in number;
//   - certificates by id: the fields the verify page compares and shows,
//     for statusTTL. This node forgets an entry as soon as its own change
//     commits; another node's revocation shows here within statusTTL.
//
// The per-address limit is counted in each node's memory (NodeLimiter), so
// with N nodes an address gets at most N times the limit; the proxy in front
// limits globally if that matters.

const (
	maxCachedTokens = 100_000
	maxCachedCerts  = 100_000
)

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

type cachedCert struct {
	c  Certificate
	at time.Time
}

type certCache struct {
	mu  sync.RWMutex
	m   map[int64]cachedCert
	ttl time.Duration
}

func (c *certCache) get(id int64, now time.Time) (Certificate, bool) {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		return Certificate{}, false
	}
	return e.c, true
}

func (c *certCache) put(x Certificate, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedCerts {
		c.m = make(map[int64]cachedCert, 1024)
	}
	c.m[x.ID] = cachedCert{c: x, at: now}
	c.mu.Unlock()
}

func (c *certCache) forget(ids ...int64) {
	c.mu.Lock()
	for _, id := range ids {
		delete(c.m, id)
	}
	c.mu.Unlock()
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
