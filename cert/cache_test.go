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

func TestCertIndexKeepsNoPersonalData(t *testing.T) {
	var x certIndex
	x.put(Certificate{ID: 1, HolderName: "王小明", IDNumber: "350602199001010016", Status: StatusValid})
	c, ok := x.get(1)
	if !ok || c.HolderName != "" || c.IDNumber != "3506**********0016" {
		t.Fatalf("indexed %+v", c)
	}
	x.forget(1)
	if _, ok := x.get(1); ok {
		t.Fatal("forgotten entry served")
	}
}
