package authkv_test

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/testenv"
)

func waitLive(t *testing.T, c *authkv.NodeSessionCache) {
	t.Helper()
	for i := 0; i < 200 && !c.Live(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !c.Live() {
		t.Fatal("node cache never subscribed")
	}
}

// TestNodeCacheRevocationReachesEveryNode: a session cached on two nodes and
// revoked on one is gone from the other at once (pub/sub), and from Redis.
func TestNodeCacheRevocationReachesEveryNode(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seal := testenv.Protector(t)
	nodeA := authkv.NewNodeSessionCache(authkv.NewSessionCache(r, seal), r, time.Hour)
	nodeB := authkv.NewNodeSessionCache(authkv.NewSessionCache(r, seal), r, time.Hour)
	go nodeA.Run(ctx)
	go nodeB.Run(ctx)
	waitLive(t, nodeA)
	waitLive(t, nodeB)

	p := auth.Principal{Kind: auth.KindStaff, UserID: 7, Role: auth.RoleProctor, CentreID: 3}
	exp := time.Now().Add(time.Hour)
	if err := nodeA.Put(ctx, "s1", p, exp, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, _, ok, err := nodeB.Get(ctx, "s1") // B fills its own copy from Redis
	if err != nil || !ok || got.CentreID != 3 {
		t.Fatalf("node B get: %+v %v %v", got, ok, err)
	}
	// Served from B's own copy even when Redis no longer has it...
	r.Del(ctx, r.Key("sess", "s1"))
	if _, _, ok, _ := nodeB.Get(ctx, "s1"); !ok {
		t.Fatal("node B should serve its local copy")
	}
	// ...until a revocation on A reaches B.
	if err := nodeA.Put(ctx, "s1", p, exp, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := nodeA.Delete(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, _, ok, err := nodeB.Get(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("revocation on node A never reached node B")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, _, ok, _ := nodeA.Get(ctx, "s1"); ok {
		t.Fatal("node A still has the revoked session")
	}
}

// TestNodeCacheWithoutSubscriptionUsesRedisOnly: a node that is not
// listening for invalidations must not serve from its own copy.
func TestNodeCacheWithoutSubscriptionUsesRedisOnly(t *testing.T) {
	t.Parallel()
	r := testenv.Redis(t)
	ctx := context.Background()
	node := authkv.NewNodeSessionCache(authkv.NewSessionCache(r, testenv.Protector(t)), r, time.Hour) // Run never called
	if err := node.Put(ctx, "s2", auth.Principal{UserID: 1}, time.Now().Add(time.Hour), time.Minute); err != nil {
		t.Fatal(err)
	}
	r.Del(ctx, r.Key("sess", "s2"))
	if _, _, ok, _ := node.Get(ctx, "s2"); ok {
		t.Fatal("served a local copy without a subscription")
	}
}
