// Package authkv implements auth.Limiter on Redis, so rate limits and
// one-time codes hold across every node.
package authkv

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"taxiexam/internal/auth"
	"taxiexam/internal/platform/kv"
)

// Limiter is the Redis rate limiter and code store.
type Limiter struct{ r *kv.Redis }

// New returns the limiter.
func New(r *kv.Redis) *Limiter { return &Limiter{r: r} }

// allowScript checks every fixed-window counter first and increments them
// only when all have room, so a refused request changes nothing.
// KEYS = counters; ARGV = limit1, windowMs1, limit2, windowMs2, ...
// Returns {1, 0} or {0, retryAfterMs}.
var allowScript = redis.NewScript(`
local worst = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i*2-1])
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= limit then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[i*2]) end
    if ttl > worst then worst = ttl end
  end
end
if worst > 0 then return {0, worst} end
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[i*2]) end
end
return {1, 0}
`)

func (l *Limiter) Allow(ctx context.Context, rules []auth.Rule) (bool, time.Duration, error) {
	keys := make([]string, len(rules))
	args := make([]any, 0, 2*len(rules))
	for i, r := range rules {
		keys[i] = l.r.Key("rl", r.Key)
		args = append(args, r.Limit, r.Window.Milliseconds())
	}
	res, err := allowScript.Run(ctx, l.r, keys, args...).Int64Slice()
	if err != nil {
		return false, 0, err
	}
	return res[0] == 1, time.Duration(res[1]) * time.Millisecond, nil
}

// giveBackScript undoes one Allow on each counter that still exists (a
// request that was counted and then failed on our side).
var giveBackScript = redis.NewScript(`
for _, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 0 then redis.call('DECR', key) end
end
return 1
`)

func (l *Limiter) GiveBack(ctx context.Context, rules []auth.Rule) error {
	keys := make([]string, len(rules))
	for i, r := range rules {
		keys[i] = l.r.Key("rl", r.Key)
	}
	return giveBackScript.Run(ctx, l.r, keys).Err()
}

// takeAttemptScript counts one attempt when the budget has room and
// answers the new count, or 0 when refused.
var takeAttemptScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n
`)

func (l *Limiter) TakeAttempt(ctx context.Context, r auth.Rule) (int, error) {
	return takeAttemptScript.Run(ctx, l.r, []string{l.r.Key("rl", r.Key)}, r.Limit, r.Window.Milliseconds()).Int()
}

func (l *Limiter) Forget(ctx context.Context, key string) error {
	return l.r.Del(ctx, l.r.Key("rl", key)).Err()
}

func (l *Limiter) PutCode(ctx context.Context, key, codeHash string, ttl time.Duration) error {
	k := l.r.Key("otp", key)
	_, err := l.r.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k)
		p.HSet(ctx, k, "h", codeHash, "tries", 0)
		p.PExpire(ctx, k, ttl)
		return nil
	})
	return err
}

// takeScript: 1 = matched and consumed; 0 = wrong (tries counted, code
// destroyed at the limit) or absent.
var takeScript = redis.NewScript(`
local h = redis.call('HGET', KEYS[1], 'h')
if not h then return 0 end
if h == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if tries >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
return 0
`)

func (l *Limiter) TakeCode(ctx context.Context, key, codeHash string, maxTries int) (bool, error) {
	n, err := takeScript.Run(ctx, l.r, []string{l.r.Key("otp", key)}, codeHash, maxTries).Int()
	return n == 1, err
}

// SessionCache implements auth.SessionCache on Redis. A principal holds a
// staff member's display name, so each entry is sealed with the data key:
// Redis never holds it in clear.
type SessionCache struct {
	r    *kv.Redis
	seal Sealer
}

// Sealer encrypts what the cache stores (pii.Protector).
type Sealer interface {
	Encrypt(plain string) (string, error)
	Decrypt(stored string) (string, error)
}

// NewSessionCache returns the cache.
func NewSessionCache(r *kv.Redis, seal Sealer) *SessionCache { return &SessionCache{r: r, seal: seal} }

type cachedSession struct {
	P       auth.Principal `json:"p"`
	Expires time.Time      `json:"e"`
}

func (c *SessionCache) key(id string) string { return c.r.Key("sess", id) }

// Get reports a miss for an entry it cannot open (a retired key, an entry
// of an older release): the session is then read from SQL again.
func (c *SessionCache) Get(ctx context.Context, id string) (auth.Principal, time.Time, bool, error) {
	sealed, err := c.r.Get(ctx, c.key(id)).Result()
	if err == redis.Nil {
		return auth.Principal{}, time.Time{}, false, nil
	}
	if err != nil {
		return auth.Principal{}, time.Time{}, false, err
	}
	plain, err := c.seal.Decrypt(sealed)
	if err != nil {
		return auth.Principal{}, time.Time{}, false, nil
	}
	var v cachedSession
	if err := json.Unmarshal([]byte(plain), &v); err != nil {
		return auth.Principal{}, time.Time{}, false, nil
	}
	return v.P, v.Expires, true, nil
}

func (c *SessionCache) Put(ctx context.Context, id string, p auth.Principal, expires time.Time, ttl time.Duration) error {
	b, err := json.Marshal(cachedSession{P: p, Expires: expires})
	if err != nil {
		return err
	}
	sealed, err := c.seal.Encrypt(string(b))
	if err != nil {
		return err
	}
	return c.r.Set(ctx, c.key(id), sealed, ttl).Err()
}

func (c *SessionCache) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = c.key(id)
	}
	return c.r.Del(ctx, keys...).Err()
}
