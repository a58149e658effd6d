// Package clock lets services read the time through an interface so tests
// can move it (exam deadlines, SMS windows, lockouts).
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// System is the real clock.
type System struct{}

func (System) Now() time.Time { return time.Now() }

// Fake is a settable clock for tests.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake starts at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Offset is the system clock moved forward by an adjustable amount. Only
// test configurations use it (testing.clock_control), so a browser test can
// reach the eve of an exam or the end of a session.
type Offset struct{ d atomic.Int64 }

func (o *Offset) Now() time.Time { return time.Now().Add(time.Duration(o.d.Load())) }

// Advance moves the clock forward by d (never back: deadlines already
// passed stay passed).
func (o *Offset) Advance(d time.Duration) time.Time {
	if d > 0 {
		o.d.Add(int64(d))
	}
	return o.Now()
}
