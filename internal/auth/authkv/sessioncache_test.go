package authkv_test

import (
	"context"
	"testing"
	"time"

	"taxiexam/internal/auth"
	"taxiexam/internal/auth/authkv"
	"taxiexam/internal/platform/testenv"
)

// A cached staff session names the person: Redis must hold it sealed, and
// an entry this node cannot open is a miss (read from SQL), not an error.
func TestSessionCacheSealsThePrincipal(t *testing.T) {
	ctx := context.Background()
	r := testenv.Redis(t)
	seal := testenv.Protector(t)
	cache := authkv.NewSessionCache(r, seal)
	p := auth.Principal{Kind: "staff", UserID: 7, Role: auth.RoleProctor, Username: "ouyang", DisplayName: "欧阳明", CentreID: 3, SessionID: "s1"}
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := cache.Put(ctx, "s1", p, expires, time.Minute); err != nil {
		t.Fatal(err)
	}
	if found := testenv.PlaintextInRedis(t, r, "欧阳明", "ouyang"); len(found) > 0 {
		t.Fatalf("plaintext in Redis: %v", found)
	}
	got, exp, ok, err := cache.Get(ctx, "s1")
	if err != nil || !ok || got != p || !exp.Equal(expires) {
		t.Fatalf("Get = %+v %v %v %v", got, exp, ok, err)
	}
	other := authkv.NewSessionCache(r, testenv.Protector(t))
	if _, _, ok, err := other.Get(ctx, "s1"); ok || err != nil {
		t.Fatalf("a cache with other keys: ok=%v err=%v, want a miss", ok, err)
	}
}
