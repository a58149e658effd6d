package cert

import (
	"context"
	"testing"
	"time"
)

func TestNodeLimiter(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 30, 0, time.UTC)
	l := NewNodeLimiter()
	l.now = func() time.Time { return now }
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if ok, _, _ := l.Allow(ctx, "a", 3, time.Minute); !ok {
			t.Fatalf("call %d refused", i+1)
		}
	}
	ok, wait, _ := l.Allow(ctx, "a", 3, time.Minute)
	if ok || wait != 30*time.Second {
		t.Fatalf("4th call: %v, retry after %v", ok, wait)
	}
	if ok, _, _ := l.Allow(ctx, "b", 3, time.Minute); !ok {
		t.Fatal("another address was refused")
	}
	now = now.Add(31 * time.Second)
	if ok, _, _ := l.Allow(ctx, "a", 3, time.Minute); !ok {
		t.Fatal("refused in the next window")
	}
}

func TestCertCacheTTL(t *testing.T) {
	c := certCache{ttl: time.Second}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c.put(Certificate{ID: 1, Status: StatusValid}, at)
	if _, ok := c.get(1, at.Add(999*time.Millisecond)); !ok {
		t.Fatal("fresh entry missing")
	}
	if _, ok := c.get(1, at.Add(time.Second)); ok {
		t.Fatal("stale entry served")
	}
	c.forget(1)
	if _, ok := c.get(1, at); ok {
		t.Fatal("forgotten entry served")
	}
}
