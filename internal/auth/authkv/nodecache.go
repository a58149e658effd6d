package authkv

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"taxiexam/internal/auth"
	"taxiexam/internal/platform/kv"
)

// NodeSessionCache puts a short-lived per-node copy in front of the shared
// Redis SessionCache, so most requests resolve their session without any
// network call. Correct across nodes: every Delete is published on a Redis
// channel and each node drops the ids at once; while a node is not
// subscribed (start-up, a dropped connection) it serves nothing from its own
// copy and clears it on every (re)subscription, since it may have missed
// invalidations. localTTL bounds what a race between a refill and an
// invalidation could leave behind.
type NodeSessionCache struct {
	shared   *SessionCache
	r        *kv.Redis
	channel  string
	localTTL time.Duration
	maxSize  int

	live atomic.Bool
	mu   sync.RWMutex
	m    map[string]nodeEntry
}

type nodeEntry struct {
	p       auth.Principal
	expires time.Time // the session's own expiry
	until   time.Time // when this node's copy must be re-read
}

// NewNodeSessionCache wraps shared; call Run on every node.
func NewNodeSessionCache(shared *SessionCache, r *kv.Redis, localTTL time.Duration) *NodeSessionCache {
	return &NodeSessionCache{shared: shared, r: r, channel: r.Key("sess", "revoked"), localTTL: localTTL, maxSize: 100_000, m: map[string]nodeEntry{}}
}

func (c *NodeSessionCache) Get(ctx context.Context, id string) (auth.Principal, time.Time, bool, error) {
	if c.live.Load() {
		c.mu.RLock()
		e, ok := c.m[id]
		c.mu.RUnlock()
		if ok && time.Now().Before(e.until) {
			return e.p, e.expires, true, nil
		}
	}
	p, expires, ok, err := c.shared.Get(ctx, id)
	if err == nil && ok {
		c.keep(id, p, expires)
	}
	return p, expires, ok, err
}

func (c *NodeSessionCache) Put(ctx context.Context, id string, p auth.Principal, expires time.Time, ttl time.Duration) error {
	if err := c.shared.Put(ctx, id, p, expires, ttl); err != nil {
		return err
	}
	c.keep(id, p, expires)
	return nil
}

// Delete drops the ids here, in Redis, and on every other node.
func (c *NodeSessionCache) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	c.drop(ids)
	if err := c.shared.Delete(ctx, ids...); err != nil {
		return err
	}
	return c.r.Publish(ctx, c.channel, strings.Join(ids, ",")).Err()
}

func (c *NodeSessionCache) keep(id string, p auth.Principal, expires time.Time) {
	if !c.live.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.maxSize {
		clear(c.m) // crude but bounded; entries refill from Redis
	}
	c.m[id] = nodeEntry{p: p, expires: expires, until: time.Now().Add(c.localTTL)}
}

func (c *NodeSessionCache) drop(ids []string) {
	c.mu.Lock()
	for _, id := range ids {
		delete(c.m, id)
	}
	c.mu.Unlock()
}

func (c *NodeSessionCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// Run listens for invalidations until ctx ends. go-redis keeps the
// subscription alive and resubscribes after a dropped connection; each
// (re)subscription clears the local copy, since invalidations may have been
// missed in between. Entries also expire after localTTL, which bounds what
// a dropped connection could leave behind.
func (c *NodeSessionCache) Run(ctx context.Context) error {
	ps := c.r.Subscribe(ctx, c.channel)
	defer func() {
		c.live.Store(false)
		ps.Close()
	}()
	msgs := ps.ChannelWithSubscriptions()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case msg, ok := <-msgs:
			if !ok {
				return ctx.Err()
			}
			switch m := msg.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					c.reset()
					c.live.Store(true)
				}
			case *redis.Message:
				c.drop(strings.Split(m.Payload, ","))
			}
		}
	}
}

// Live reports whether this node currently serves from its own copy.
func (c *NodeSessionCache) Live() bool { return c.live.Load() }
