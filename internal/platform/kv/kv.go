// Package kv connects to Redis: a real server when an address is configured,
// or an in-process one (miniredis) for the embedded default, so the same code
// paths (rate limits, streams) run everywhere.
package kv

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"taxiexam/configs"
)

// Redis is a client plus the key prefix of this deployment.
type Redis struct {
	redis.UniversalClient
	prefix   string
	embedded *miniredis.Miniredis
}

// Open connects to cfg.Addr, or starts an in-process server when it is empty.
func Open(ctx context.Context, cfg configs.Redis) (*Redis, error) {
	r := &Redis{prefix: cfg.Prefix}
	addr := cfg.Addr
	if addr == "" {
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			return nil, fmt.Errorf("in-process redis: %w", err)
		}
		r.embedded = m
		addr = m.Addr()
	}
	r.UniversalClient = redis.NewClient(&redis.Options{
		Addr:     addr,
		Password: cfg.Password,
		DB:       cfg.DB,
	})
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.Ping(pctx).Err(); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("redis %s not reachable: %w", addr, err)
	}
	return r, nil
}

// Key joins parts under the deployment prefix: Key("rl", "sms", phoneHash).
func (r *Redis) Key(parts ...string) string {
	return r.prefix + strings.Join(parts, ":")
}

// Prefix is the deployment prefix (tests use a random one per test).
func (r *Redis) Prefix() string { return r.prefix }

// Close closes the client and stops the in-process server.
func (r *Redis) Close() error {
	err := r.UniversalClient.Close()
	if r.embedded != nil {
		r.embedded.Close()
	}
	return err
}
